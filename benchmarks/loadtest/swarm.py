"""Run the Locust users against a running site, headless, and write what happened.

    python -m benchmarks.loadtest.swarm HOST MANIFEST.json RESULTS.json

Locust runs as a library here (one local runner, one user per officer and director)
because each user works through a fixed script and stops; the run ends when every user
has, or after LOADTEST_TIMEOUT seconds (then the results say it did not finish).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from locust.env import Environment
from locust.log import setup_logging

from benchmarks.loadtest import locustfile
from benchmarks.loadtest.config import LoadTestConfig
from benchmarks.loadtest.locustfile import DirectorUser, OfficerUser, Plan


def results_of(plan: Plan, *, finished: bool) -> dict[str, Any]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started = (plan.started or plan.created) - plan.created
    ended = (plan.finished or plan.created) - plan.created
    return {
        "finished": finished,
        "users": plan.users,
        "started": started,
        "ended": ended,
        # The same moments on the machine's monotonic clock, for the orchestrator's CPU
        # samples (time.perf_counter is CLOCK_MONOTONIC on Linux).
        "started_at": plan.started or plan.created,
        "ended_at": plan.finished or plan.created,
        "records": [[r.step, r.ms, r.outcome, r.status, r.at] for r in plan.records],
        "saved": plan.saved,
        "uncertain": plan.uncertain,
        "officers": {o["username"]: o["portfolio"] for o in plan.manifest["officers"]},
        "submitted": sorted(p for p, event in plan.submitted.items() if event.is_set()),
        "approved": sorted(plan.approved),
        "notes": dict(plan.notes.most_common()),
        "harness_errors": plan.harness_errors,
        "client_cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit("usage: python -m benchmarks.loadtest.swarm HOST MANIFEST.json RESULTS.json")
    host, manifest_path, results_path = sys.argv[1:]
    setup_logging("WARNING")
    config = LoadTestConfig.from_env()
    plan = Plan(manifest=json.loads(Path(manifest_path).read_text()), config=config)
    locustfile.PLAN = plan
    OfficerUser.fixed_count = len(plan.officers)
    DirectorUser.fixed_count = len(plan.directors)
    environment = Environment(user_classes=[OfficerUser, DirectorUser], host=host)
    runner = environment.create_local_runner()
    print(f"- Locust: {plan.users} users signing in", flush=True)
    runner.start(plan.users, spawn_rate=min(plan.users, 100))
    if plan.all_signed_in.wait(timeout=config.timeout):
        signed_in = (plan.started or plan.created) - plan.created
        print(f"- all signed in after {signed_in:.1f} s; working", flush=True)
    left = config.timeout - (time.perf_counter() - plan.created)
    finished = bool(plan.everyone_done.wait(timeout=max(left, 0)))
    runner.quit()
    Path(results_path).write_text(json.dumps(results_of(plan, finished=finished)))
    print(f"- Locust done ({'every user finished' if finished else 'TIMED OUT'})", flush=True)


if __name__ == "__main__":
    main()
