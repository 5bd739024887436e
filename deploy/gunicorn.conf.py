"""gunicorn's settings for Allianssi in production (docs/production.md).

    gunicorn --config deploy/gunicorn.conf.py config.wsgi

gunicorn reads this file, then ``GUNICORN_CMD_ARGS``, then its command line, each overriding the
one before: ``GUNICORN_CMD_ARGS="--workers 8"`` changes one setting without editing this file.

Sync workers, one request each at a time, behind a reverse proxy that ends TLS and buffers slow
clients (nginx, Apache, Caddy, a load balancer): a slow client then never holds a worker.
"""

import multiprocessing
import os

#: Where the proxy reaches the app. In the container, every interface of the container.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

#: Two per core and one more (gunicorn's rule of thumb); ``WEB_CONCURRENCY`` sets it as it does
#: on most hosting platforms. Each worker holds 100–200 MB.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"

#: A request that takes longer ends with the worker's restart and a 502 from the proxy. The
#: slowest pages (PDF documents, a year's downloads) take a few seconds; uploads are imported in
#: the background. Give the proxy a longer read timeout than this.
timeout = 60
#: On a restart or shutdown, requests under way get this long to finish.
graceful_timeout = 30
#: Behind a proxy on the same machine or network, kept connections are cheap.
keepalive = 5

#: The heartbeat files of the workers on memory, not on a container's overlay disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

#: No control socket: nothing administers the server through it.
control_socket_disable = True

#: One line per request on standard output, errors on standard error; the proxy's address is
#: replaced by the client's from X-Forwarded-For in the app itself (ALLIANSSI_TRUSTED_PROXIES).
accesslog = "-"
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms'

#: Requests larger than these are refused by gunicorn before Django reads them.
limit_request_line = 8190
limit_request_fields = 100
