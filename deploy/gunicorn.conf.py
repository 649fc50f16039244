"""gunicorn's settings for Relais behind a reverse proxy (docs/deploy.md).

Start with ``gunicorn -c deploy/gunicorn.conf.py`` (systemd/relais-web.service
does). RELAIS_BIND and RELAIS_WORKERS change the two settings an operator
changes most; everything else of Relais's is in ADVOCACY_* settings.
"""

import os

wsgi_app = "advocacy:create_app()"

# Behind the proxy on the same host: nothing but the proxy connects, so
# gunicorn's own error lines about a bad request name only the proxy.
bind = os.environ.get("RELAIS_BIND", "127.0.0.1:8000")

# Sync workers: a request holds its worker until it is answered, and Relais's
# requests are short (feeds are fetched by the scheduler, never by a page).
# Each worker keeps its own database pool (5 connections), so workers × hosts
# × 5 must stay under PostgreSQL's max_connections.
workers = int(os.environ.get("RELAIS_WORKERS", 2 * (os.cpu_count() or 1) + 1))
timeout = 30
graceful_timeout = 30
keepalive = 5

# Never load the app in the master: each worker opens its own database
# connections after the fork, none are shared between processes.
preload_app = False

# The app writes one line per request itself (method, route template,
# status, duration; no client address: advocacy/logs.py), in LOG_FORMAT.
# gunicorn's own access log would repeat it with the address, the raw path
# (link codes, IDs) and the user agent.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("RELAIS_GUNICORN_LOGLEVEL", "info")

# Heartbeat files in memory rather than on a disk that may be slow or read-only.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
