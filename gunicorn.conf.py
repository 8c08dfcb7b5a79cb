"""gunicorn settings for `gunicorn -c gunicorn.conf.py wsgi:app`.

Environment: STATUSPAGE_BIND (default 127.0.0.1:8000), STATUSPAGE_WORKERS
(default: one per CPU core), STATUSPAGE_THREADS (default 8), STATUSPAGE_ACCESS_LOG
(default: none; "-" for stdout or a file path).
"""

import os
import shutil
import tempfile

wsgi_app = "wsgi:app"  # so `gunicorn -c gunicorn.conf.py` alone works too
bind = os.environ.get("STATUSPAGE_BIND", "127.0.0.1:8000")

# Threads serve many slow clients cheaply; the app holds no per-request global state.
worker_class = "gthread"
threads = int(os.environ.get("STATUSPAGE_THREADS", "8"))

# One process per core: Python runs one thread at a time per process, so this is what
# lets the public side use the whole machine on outage day. Each process keeps its own
# ~1 s cache of public responses (they agree within 2 s through the database's change
# counter). Rate-limit counters are per process unless STATUSPAGE_REDIS_URL is set (then
# shared): set it when running several processes, or a client may get up to N times the
# limit. Prometheus metrics are summed over the processes (multiprocess mode, below).
workers = int(os.environ.get("STATUSPAGE_WORKERS") or os.cpu_count() or 1)

# prometheus_client must know before it is imported (in each worker, when the app loads)
# that its values live in files every process can read; /metrics then sums them.
_metrics_dir = None
if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _metrics_dir = tempfile.mkdtemp(prefix="statuspage-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def child_exit(server, worker):
    """Keep a finished worker's counters, drop its live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the metrics folder this server made."""
    if _metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)


# Give in-flight requests time to finish on SIGTERM/SIGHUP before workers are killed.
graceful_timeout = 30
timeout = 60
keepalive = 5

# gunicorn >= 25 opens a control socket at one fixed per-user path, so a second
# instance on the same machine (another checkout, a benchmark) would take it over.
control_socket_disable = True

# Error log to stderr (collected by the process supervisor). No access log unless
# STATUSPAGE_ACCESS_LOG names one ("-" for stdout, or a file): writing a line per request
# costs about a third of a cached page's throughput, and the reverse proxy in front
# usually logs requests already; /metrics counts them by endpoint and status either way.
accesslog = os.environ.get("STATUSPAGE_ACCESS_LOG") or None
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'
