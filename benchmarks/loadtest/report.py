"""The load test's table and verdict: which targets were met, and the exit status."""

from __future__ import annotations

import math
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.loadtest.config import TARGET_P95_MS, TARGET_STEPS, LoadTestConfig

STEPS = (
    "sign in",
    "home",
    "return page",
    "save",
    "submit",
    "return page (director)",
    "approve",
)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted `values`."""
    return values[max(0, math.ceil(fraction * len(values)) - 1)]


def step_rows(records: list[list[Any]]) -> dict[str, dict[str, Any]]:
    by_step: dict[str, list[list[Any]]] = defaultdict(list)
    for record in records:
        by_step[record[0]].append(record)
    rows = {}
    for step in [*STEPS, *sorted(set(by_step) - set(STEPS))]:
        if step not in by_step:
            continue
        timings = sorted(record[1] for record in by_step[step])
        outcomes = [record[2] for record in by_step[step]]
        rows[step] = {
            "count": len(timings),
            "p50": percentile(timings, 0.50),
            "p95": percentile(timings, 0.95),
            "max": timings[-1],
            **{outcome: outcomes.count(outcome) for outcome in ("conflict", "invalid")},
            "refused": outcomes.count("refused"),
            "error": outcomes.count("error"),
        }
    return rows


def print_table(rows: dict[str, dict[str, Any]]) -> None:
    print()
    print(
        f"{'step':<24}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        f"{'409':>6}{'400':>6}{'refused':>9}{'errors':>8}"
    )
    for step, row in rows.items():
        print(
            f"{step:<24}{row['count']:>7}{row['p50']:>9.0f}{row['p95']:>9.0f}{row['max']:>9.0f}"
            f"{row['conflict']:>6}{row['invalid']:>6}{row['refused']:>9}{row['error']:>8}"
        )


def problems(config: LoadTestConfig, results: dict[str, Any], verdict: dict[str, Any]) -> list[str]:
    """What went wrong besides failed requests: each one counts as an error."""
    found = [*results["harness_errors"], *verdict["foreign"]]
    if not results["finished"]:
        found.append(f"the users did not finish within {config.timeout} s")
    unapproved = sorted(set(results["submitted"]) - set(results["approved"]))
    if unapproved:
        found.append(f"submitted returns no director approved: portfolios {unapproved}")
    if verdict["approved_not_stored"]:
        found.append(f"approved but not stored approved: {verdict['approved_not_stored']}")
    return found


def print_report(
    config: LoadTestConfig,
    results: dict[str, Any],
    verdict: dict[str, Any],
    *,
    server_log: Path,
    cpu_use: dict[str, Any] | None = None,
) -> int:
    """Print the table and what was missed; return the exit status (1: a target missed)."""
    rows = step_rows(results["records"])
    print_table(rows)
    duration = results["ended"] - results["started"]
    measured = [r for r in results["records"] if r[0] != "sign in" and r[4] >= results["started"]]
    throughput = len(measured) / duration if duration > 0 else 0.0
    print()
    print(
        f"After sign-in: {len(measured)} requests in {duration:.1f} s = {throughput:.1f} requests/s"
        f" ({os.cpu_count()} CPUs shared by gunicorn, PostgreSQL and Locust; Locust used "
        f"{results['client_cpu_seconds']:.0f} s of CPU)"
    )
    if cpu_use is not None and duration > 0:
        used = cpu_use["used"]
        per_request = used["gunicorn"] / len(measured) * 1000 if measured else 0.0
        print(
            f"CPU in those {duration:.1f} s: gunicorn {used['gunicorn']:.1f} s "
            f"({per_request:.0f} ms a request), Locust {used['Locust']:.1f} s, PostgreSQL "
            f"{used['PostgreSQL']:.1f} s; the machine's {os.cpu_count()} CPUs "
            f"{cpu_use['machine'] / (duration * (os.cpu_count() or 1)):.0%} busy"
        )
    print(
        f"Returns: {len(results['submitted'])} submitted, {len(results['approved'])} approved "
        f"by their directors; stored states: {verdict['states']}"
    )
    refused = {
        label: sum(row[key] for row in rows.values())
        for label, key in (("409", "conflict"), ("400", "invalid"), ("refused", "refused"))
    }
    print(
        "Saves the site refused (counted, not errors): "
        + ", ".join(f"{label}: {count}" for label, count in refused.items())
    )
    lost = verdict["lost"]
    print(f"Lost updates: {len(lost)} of {verdict['checked']} saved values checked")
    for line in lost[:10]:
        print(f"  {line}")
    failed = [f"{row['error']} failed {step}" for step, row in rows.items() if row["error"]]
    other = problems(config, results, verdict)
    errors = sum(row["error"] for row in rows.values()) + len(other)
    print(f"Errors: {errors}")
    for line in [*failed, *other][:10]:
        print(f"  {line}")
    if results["notes"]:
        print("What the site answered besides success:")
        for text, count in list(results["notes"].items())[:10]:
            print(f"  {count} x {text}")
    if errors:
        print(f"(gunicorn's log: {server_log})")

    missed = [
        f"{step} p95 {row['p95']:.0f} ms > {TARGET_P95_MS:.0f} ms"
        for step, row in rows.items()
        if step in TARGET_STEPS and row["p95"] > TARGET_P95_MS
    ]
    if errors:
        missed.append(f"{errors} errors")
    if lost:
        missed.append(f"{len(lost)} lost updates")
    print()
    if missed:
        print("TARGETS MISSED: " + "; ".join(missed))
        return 1
    print(
        f"Targets met: p95 <= {TARGET_P95_MS:.0f} ms loading and saving the return, "
        "no errors, no lost updates"
    )
    return 0
