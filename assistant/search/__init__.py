"""Finding passages: hybrid dense + keyword retrieval, the learned ranker and its features (among them the kind of answer a question asks for), follow-up questions made standalone.

May import: assistant.index, assistant.reading and the base modules.
"""
