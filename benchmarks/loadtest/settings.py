"""The site's own settings, with the static files collected into the run's own folder.

The load test runs perfmon with DEBUG off, where templates need the collected static
files' manifest; collecting them into a temporary folder leaves the checkout untouched.
"""

import os
from pathlib import Path

from perfmon.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["LOADTEST_STATIC_ROOT"])
