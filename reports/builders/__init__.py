"""The reports councils publish, built as plain data (no HTML).

Each builder is a function taking `Filters` and returning a dataclass; the HTML views,
the XLSX, CSV and PDF writers and the `performance_summary` command all read the same
dataclasses. Every builder runs a fixed number of queries, whatever the number of items.
"""
