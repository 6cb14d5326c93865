"""Database layer: models, engine and session helpers, migrations and queries."""
