"""Call statistics: what the line is used for, never who called.

  counting  counters per UTC day in Redis (batched in memory, written each second
            behind the circuit breaker), unique callers as HyperLogLogs of a keyed hash
  rollup    a finished day's counts copied into the database (DailyStat)
  report    days read back (database, else Redis), totals, the funnel per topic,
            counts under STATS_THRESHOLD shown as "fewer than N", CSV and text

Counter names are plain strings, "<kind>:<what>" or a bare kind ("calls"), so a new
feature adds a counter by calling `Counter.add` with a new name: nothing else changes.
"""
