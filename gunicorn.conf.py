"""How the Procfile's web process serves the line (gunicorn reads this file).

Why gevent workers: a webhook is a short request, but a client decides how slowly it
sends it. A sync worker, or a gthread worker's thread, is held for as long as a client
takes to send its request: two connections that send half a request and wait stop a
two-worker line. A gevent worker serves every connection in its own greenlet (a few
kilobytes), so a stalled connection costs nothing but that, up to
`worker_connections` per worker; one that has not sent its headers within `keepalive`
seconds is dropped, and one whose body has not come 5 s later gets a 408. The line's
own work is short and waits on Redis and the disk, which gevent's patched sockets
turn into switches, not blocks.

`make bench` and `make soak` serve with this same file, so what they measure is what
production runs.
"""
import os

worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Simultaneous connections per worker; a stalled client holds one of these, never a worker.
worker_connections = 1000
# Seconds a connection has to send the headers of its next request (gevent uses it
# for the first request too): a client that stalls mid-header is dropped after it.
keepalive = 5
# A worker that stops answering its master's heartbeat for this long is restarted;
# Twilio gives up on a webhook after 15 s anyway.
timeout = 30
# On SIGTERM (a deploy, a restart) requests in flight get this long to finish.
graceful_timeout = 20
# Twilio's requests are small: a URL of a few hundred bytes, some twenty headers.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# One access-log line per request, and never a caller's number in it: the path
# without its query string (%(U)s, not %(r)s, which holds the query), and no referrer
# or user agent (text a client chooses). Twilio sends the caller in the form (and in
# the query of a GET), so neither reaches the log.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"

# gunicorn's control socket (for `gunicornc`) is not used here, and servers started
# side by side on one host (tests, bench, soak) would share its one default path.
control_socket_disable = True


# The body too must come in time: each worker's app is wrapped in ivr.wsgi.BodyDeadline
# (5 s for the body once the headers are in, else a 408).
def post_worker_init(worker):
    from ivr.wsgi import BodyDeadline

    worker.wsgi = BodyDeadline(worker.wsgi)
