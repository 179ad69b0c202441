"""What the assistant keeps about its use, in one database (SQLite by default, PostgreSQL shared by every instance):
feedback on answers, the audit log (admin actions, API calls) and the API's bearer tokens.

May import: the base modules only.
"""
