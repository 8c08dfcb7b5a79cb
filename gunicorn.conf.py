"""gunicorn settings for `gunicorn -c gunicorn.conf.py wsgi:app`.

Environment: STATUSPAGE_BIND (default 127.0.0.1:8000), STATUSPAGE_WORKERS
(default 1), STATUSPAGE_THREADS (default 8).
"""

import os

wsgi_app = "wsgi:app"  # so `gunicorn -c gunicorn.conf.py` alone works too
bind = os.environ.get("STATUSPAGE_BIND", "127.0.0.1:8000")

# Threads serve many slow clients cheaply; the app holds no per-request global state.
worker_class = "gthread"
threads = int(os.environ.get("STATUSPAGE_THREADS", "8"))

# One process by default. The in-process parts (Prometheus metrics, the ~1 s cache of
# public responses, rate-limit counters without REDIS_URL) are per process: with several
# workers each keeps its own copy, so /metrics shows one worker's numbers per scrape and
# caches refresh independently. Raise this for throughput (e.g. 2 x CPU cores), with
# STATUSPAGE_REDIS_URL set so rate limits are shared.
workers = int(os.environ.get("STATUSPAGE_WORKERS", "1"))

# Give in-flight requests time to finish on SIGTERM/SIGHUP before workers are killed.
graceful_timeout = 30
timeout = 60
keepalive = 5

# gunicorn >= 25 opens a control socket at one fixed per-user path, so a second
# instance on the same machine (another checkout, a benchmark) would take it over.
control_socket_disable = True

# Access log to stdout, error log to stderr (collected by the process supervisor).
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'
