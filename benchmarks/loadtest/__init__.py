"""`make loadtest`: real gunicorn, real PostgreSQL, officers and directors driven by Locust.

Nothing here is named test_*.py, so neither `make test` nor `make bench` collects it.
Run it with `python -m benchmarks.loadtest.run` (what `make loadtest` does).
"""
