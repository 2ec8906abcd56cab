"""The load test's sizes and addresses, read from LOADTEST_* environment variables.

Shared by the orchestrator, the data seeding and the Locust process, which each read the
same environment. No Django and no gevent here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

# The targets are fixed: a run meets them or it does not.
TARGET_P95_MS = 1000.0
TARGET_STEPS = ("return page", "return page (director)", "save", "submit")

PASSWORD = "loadtest-not-a-secret"


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


def _float_range(name: str, default: str) -> tuple[float, float]:
    text = os.environ.get(name, "") or default
    low, _, high = text.partition("-")
    return float(low), float(high or low)


@dataclass(frozen=True)
class LoadTestConfig:
    portfolios: int  # portfolios with one officer each
    measures: int  # per portfolio
    actions: int  # per portfolio
    shared_officers: int  # officers on one more portfolio, each changing different items
    rounds: int  # per officer
    changes: int  # measures each officer changes per round
    submit_every: int  # every n-th one-officer portfolio is submitted (0: none)
    workers: int  # gunicorn workers
    think: tuple[float, float]  # seconds an officer spends reading or typing, drawn uniformly
    arrival: float  # officers start over this many seconds (0: all in the same instant)
    conflict_retries: int  # how often an officer reloads and saves again after a 409
    timeout: int  # seconds the Locust users may run before the run is abandoned
    postgres_url: str  # the server, without a database name
    database: str
    redis_url: str  # a Redis database the run empties and uses alone

    @classmethod
    def from_env(cls) -> LoadTestConfig:
        config = cls(
            portfolios=_int("LOADTEST_PORTFOLIOS", 50),
            measures=_int("LOADTEST_MEASURES", 100),
            actions=_int("LOADTEST_ACTIONS", 50),
            shared_officers=_int("LOADTEST_SHARED_OFFICERS", 5),
            rounds=_int("LOADTEST_ROUNDS", 4),
            changes=_int("LOADTEST_CHANGES", 3),
            submit_every=_int("LOADTEST_SUBMIT_EVERY", 2),
            workers=_int("LOADTEST_WORKERS", 4),
            think=_float_range("LOADTEST_THINK", "1-3"),
            arrival=float(os.environ.get("LOADTEST_ARRIVAL", "") or 3),
            conflict_retries=_int("LOADTEST_CONFLICT_RETRIES", 2),
            timeout=_int("LOADTEST_TIMEOUT", 1200),
            postgres_url=os.environ.get(
                "LOADTEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"
            ).rstrip("/"),
            database=os.environ.get("LOADTEST_DATABASE", "perfmon_loadtest"),
            redis_url=os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
        )
        config.check()
        return config

    def check(self) -> None:
        """Refuse sizes the harness cannot run, and any database it must not drop."""
        if "loadtest" not in self.database:
            raise ValueError(
                f"LOADTEST_DATABASE={self.database!r}: the run drops and recreates this "
                "database, so its name must contain 'loadtest'."
            )
        if self.arrival < 0:
            raise ValueError("LOADTEST_ARRIVAL must be >= 0 (seconds).")
        if self.rounds < 1 or self.measures < 1 or self.actions < 1 or self.workers < 1:
            raise ValueError("LOADTEST_ROUNDS, _MEASURES, _ACTIONS and _WORKERS must be >= 1.")
        if self.portfolios < 0 or self.shared_officers < 0 or self.changes < 1:
            raise ValueError(
                "LOADTEST_PORTFOLIOS and _SHARED_OFFICERS must be >= 0, _CHANGES >= 1."
            )
        if self.portfolios + self.shared_officers == 0:
            raise ValueError("Nobody to run: set LOADTEST_PORTFOLIOS or _SHARED_OFFICERS.")
        if self.shared_officers > self.measures or self.shared_officers > self.actions:
            raise ValueError("Each sharing officer needs a measure and an action of their own.")

    @property
    def database_url(self) -> str:
        return f"{self.postgres_url}/{self.database}"

    def describe(self) -> str:
        shared = (
            f" + 1 portfolio shared by {self.shared_officers} officers"
            if self.shared_officers
            else ""
        )
        return (
            f"{self.portfolios} portfolios{shared}, {self.measures} measures and "
            f"{self.actions} actions each; {self.rounds} rounds per officer, "
            f"{self.changes} measures changed per round; think time "
            f"{self.think[0]:g}-{self.think[1]:g} s; officers arrive over "
            f"{self.arrival:g} s; gunicorn workers: {self.workers}"
        )
