"""gunicorn settings for one Bypuls app server behind nginx (deploy/nginx/bypuls.conf).

Started by deploy/systemd/bypuls@.service as
`gunicorn --config deploy/gunicorn.conf.py --bind 127.0.0.1:PORT 'app:create_app()'`.
Every value can be overridden on the command line; the number of workers by
WEB_CONCURRENCY in the environment file.
"""
import multiprocessing
import os

wsgi_app = "app:create_app()"

# Sync workers: each request is short, and nginx buffers slow uploads and slow phones, so a worker is
# never held by a weak 3G signal. gunicorn's rule of thumb: two per core, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"

# gunicorn's default timeout (30 s) stands: no request may hold a worker longer. A file that can take
# longer to make (an export of more than EXPORT_DIRECT_LIMIT responses, a report PDF of many charts) is
# made by a thread in the background while its page shows the progress (engagement.prepared); a worker
# that is replaced meanwhile first gives it a little time (worker_exit below), and one that is killed takes
# its thread along: the next look at the page makes the file again. nginx waits a little longer
# (proxy_read_timeout 35s) so that gunicorn, not nginx, decides.
graceful_timeout = 30
# A worker is replaced after this many requests, so a slow leak can never take a server down.
max_requests = 2000
max_requests_jitter = 200

# The app is built once, in the master, and every worker is a fork of it. A replaced worker then serves
# within milliseconds: built anew, it took about 2 s of CPU, while the other workers took its share of
# requests (the bench's submissions as deployed had a p99 of 1.5 s against a p50 of 74 ms). The workers
# also share the built app's memory, which the garbage collector leaves alone (web.out_of_the_collectors_
# sight). New code needs a restart (systemctl restart), as it always has: a reload keeps the built app.
preload_app = True


def post_fork(server, worker):
    """A forked worker must never use a database connection the master opened (two processes on one socket
    mix up their replies): forget the pool's connections without closing them, so the worker opens its own.
    Redis clients see the fork themselves and reconnect."""
    from extensions import db

    with server.app.wsgi().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


# A worker that leaves in good order (after max_requests, or when the server is restarted) first gives the
# downloads it is making in the background this long to finish: an export of 100,000 responses takes 7 to
# 20 s, and cut off it would be made again from zero by another server once its heartbeat went stale. It
# stays under gunicorn's 30 s timeout, which still ends a worker that never finishes. Meanwhile the server
# has one worker fewer.
FINISH_DOWNLOADS_SECONDS = 20


def worker_exit(server, worker):
    from engagement.prepared import runner

    left = runner.finish_running(FINISH_DOWNLOADS_SECONDS)
    if left:
        server.log.warning("worker %s leaves downloads unfinished, to be made again: %s", worker.pid, ", ".join(left))


# The scheme and the client's address come from nginx's X-Forwarded-* headers through the app's
# ProxyFix (TRUSTED_PROXY_HOPS), in one place: gunicorn itself trusts none of them.
secure_scheme_headers = {}
forwarded_allow_ips = ""

# Logs go to stderr, where systemd's journal keeps them (`journalctl -u 'bypuls@*'`). No access log:
# nginx keeps one with the last part of each address masked; this one would have only 127.0.0.1.
errorlog = "-"
accesslog = None
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
