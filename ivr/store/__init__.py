"""Where the line keeps what outlives a request: Redis (`redis`: the connection, the
embedded server for local runs; `breaker`: Redis skipped while it is down or frozen)
and the name of every key it uses (`keys`); and the database of records (`db`: engine
and sessions from DATABASE_URL, `models`: the tables, `migrations/`: Alembic). Redis
is the cache and the queue; records (staff, the audit log, recordings) live in the
database. Connections are passed in explicitly; nothing here holds a global client.
Nothing here imports ivr.staff."""
