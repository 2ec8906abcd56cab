"""Fill the load test's freshly migrated, empty database and write the run's manifest.

    DJANGO_SETTINGS_MODULE=benchmarks.loadtest.settings DATABASE_URL=... \
        python -m benchmarks.loadtest.seed MANIFEST.json

Creates the reporting year with the quarter being reported today; LOADTEST_PORTFOLIOS
portfolios of LOADTEST_MEASURES measures and LOADTEST_ACTIONS actions with one officer
each; one more portfolio of the same size shared by LOADTEST_SHARED_OFFICERS officers;
and a director for every portfolio (data.py). Every user's password is config.PASSWORD.
The manifest (JSON) tells the Locust users who they are and verify.py what to read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import django

from benchmarks.loadtest.config import LoadTestConfig


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python -m benchmarks.loadtest.seed MANIFEST.json")
    django.setup()
    from benchmarks.loadtest.data import create_data  # needs the apps loaded

    manifest = create_data(LoadTestConfig.from_env())
    Path(sys.argv[1]).write_text(json.dumps(manifest, indent=1))


if __name__ == "__main__":
    main()
