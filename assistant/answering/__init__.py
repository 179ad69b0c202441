"""Answering from passages: the extractive answerer and its three outcomes, the second opinion (query likelihood), the model path (client, prompt, grounding), claims and citations checked against the documents, the reader's language.

May import: assistant.search, assistant.index, assistant.reading and the base modules.
"""
