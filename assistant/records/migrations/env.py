"""Alembic's environment: migrations run on the connection ``assistant.records.database.migrate`` passes."""

from alembic import context

from assistant.records.database import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
