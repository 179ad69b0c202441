"""What the assistant keeps about its use: feedback on answers, the audit log (admin actions, API calls) and the
API's bearer tokens (SQLite).

May import: the base modules only.
"""
