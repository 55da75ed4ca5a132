# Gunicorn settings for production, started as
#   python -OO -m gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'
# (README, Production layout). The benchmark (bench/run.py) serves the blog and its ceiling with them.
# Put a reverse proxy (nginx) in front: it buffers slow clients, so sync workers suffice.
# One worker per core: the blog's requests keep a CPU busy (PostgreSQL on the same host answers in
# a moment), and every idle sync worker wakes for each new connection, so more workers than cores
# served no more requests a second (measured with make bench; the figures are in the commit log).
# With the database on another host, where workers wait longer on each round trip, raise it.
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
keepalive = 5
# The workers' heartbeat file is touched on every request: in memory, not on the disk's journal.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
timeout = 30
graceful_timeout = 10
# The app is imported once in the master and forked: workers share its code pages.
preload_app = True
max_requests = 0
accesslog = None
errorlog = "-"
loglevel = "warning"
