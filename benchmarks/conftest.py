"""Benchmarks run with `make bench`, never as part of `make test`."""
