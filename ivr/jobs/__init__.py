"""Background work: jobs on the line's Redis (RQ), the worker that runs them, the clock
that starts the periodic ones, and Twilio's REST API, which only jobs call.

A webhook never waits for Twilio's REST API: it enqueues a job (an SMS, a call back,
a recording to fetch) and answers the caller at once. The worker is the Procfile's
`worker:` line (`ivr worker`); `make run` starts one too.
"""
