"""What the assistant keeps about its use: feedback on answers and the audit log of admin actions (SQLite).

May import: the base modules only.
"""
