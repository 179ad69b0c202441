"""Where passages live and how they get there: incremental indexing of the corpus folder and uploads, the SQLite store (documents, chunks, keyword index, glossary), the Chroma index (embedded or a server), several instances sharing one server, the embedding model.

May import: assistant.reading and the base modules (text, settings, errors, offline).
"""
