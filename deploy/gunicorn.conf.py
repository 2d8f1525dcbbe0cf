"""Gunicorn for Dân vận behind nginx: `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be overridden from the environment file the systemd unit reads
(/etc/dinvan/dinvan.env); see README, section "Triển khai".
"""

import multiprocessing
import os

wsgi_app = "dinvan.wsgi:application"

# Loopback only: nginx is the one door in. Another app server behind the same nginx
# binds its private address instead (GUNICORN_BIND=10.0.0.12:8000).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Word and Excel exports of a whole term can take a while; anything longer is a bug.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never takes the server down.
max_requests = 1000
max_requests_jitter = 100

# Trust X-Forwarded-* only from nginx on this machine (or the address given).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs go to stdout/stderr, hence to the journal: `journalctl -u dinvan`.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# The control socket would live in the service user's home, which the unit hides.
control_socket_disable = True
