"""Where the line keeps what outlives a request: Redis (`redis`: the connection, the
embedded server for local runs; `breaker`: Redis skipped while it is down or frozen)
and the name of every key it uses (`keys`).
The connection is always passed in explicitly; nothing here holds a global client."""
