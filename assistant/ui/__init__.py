"""The Streamlit app's views (chat, source viewer, find passages, glossary, working set, exports, the documents page) and who may use the app.

May import anything below it, through assistant.pipeline; app.py lays the views out.
"""
