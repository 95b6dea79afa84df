"""Gunicorn settings for the app servers (`make serve`), read from the environment.

gunicorn --config imdi_reporting/gunicorn.conf.py --bind 127.0.0.1:8000 imdi_reporting.wsgi
"""

import os

# Sync workers: each handles one request at a time, which suits PDF rendering (CPU-bound)
# and keeps one database connection per worker (CONN_MAX_AGE keeps it open).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))

# A draft PDF of the full report renders in a few seconds on one core; a worker silent for
# longer than this is stuck and is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM (deploy, scale down) or SIGHUP (reload) a worker finishes the request it is
# serving for up to this long before it is killed.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# The reverse proxy keeps connections to the app servers open between requests.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Rendering PDFs and building spreadsheets grows a worker's memory; each worker is replaced
# after about a thousand requests, staggered so that they do not all restart at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10

# No access log: imdi_reporting.middleware.RequestLogMiddleware writes one JSON line per
# request with the user and request id. Gunicorn's own messages go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

proc_name = "imdi-reporting"
# Servers are managed with signals (TERM to stop, HUP to reload). Gunicorn's control socket
# has one default path per user, which several servers on one machine would share.
control_socket_disable = True
