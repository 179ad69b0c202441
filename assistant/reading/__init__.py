"""Reading documents: source files (text, Markdown, PDF) read and cleaned, described from the catalog, chunked along their structure, and the glossary's entries found in them.

May import: assistant.text, assistant.settings, assistant.errors.
"""
