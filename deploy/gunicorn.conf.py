# Gunicorn settings for production; the benchmark (bench/run.py) serves the blog and its ceiling with them.
# Two cores here: two workers per core, each with threads so slow clients do not block a worker.
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
keepalive = 5
timeout = 30
graceful_timeout = 10
max_requests = 0
accesslog = None
errorlog = "-"
loglevel = "warning"
