"""The SQLite store: schema, migrations, and the queries every layer above shares."""
