"""gunicorn as production runs it: docker-compose.yml's web service and `make load` use this file."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Threads let a worker wait on PostgreSQL for one request while serving another; each thread holds
# at most one database connection (DB_CONN_MAX_AGE), so a container uses up to workers × threads.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a whole city's Excel ledger takes a while
graceful_timeout = 30
# Longer than nginx keeps an idle upstream connection (deploy/nginx.conf: keepalive_timeout 60s), so the
# side that reuses a connection is the side that closes it: gunicorn never closes one that nginx (or a
# client) is just sending on, which the client would see as a reset instead of an answer.
keepalive = 75
# Recycle workers now and then so that a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
# The request id (nginx's $request_id, echoed by Django) ties an access line to the application's log.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
