"""After the run: does the database hold what every officer last saved?

    python -m benchmarks.loadtest.verify MANIFEST.json RESULTS.json VERDICT.json

For each officer and each field they changed, the value of their last save the site
accepted must be the stored one; any other value (or none) is a lost update. Where a
later save of the field was answered otherwise (a 409 may keep part of a save), the
values sent since are accepted too. Also checks
that every return a director approved is stored approved. Reads with the ORM, in a
process of its own (the Locust process runs under gevent).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import django


def _same(kind: str, field: str, expected: str | None, stored: Any) -> bool:
    if expected is None:  # the field as it was before the officer's first save
        return stored in {None, ""}
    if kind == "measure" and field == "actual":
        try:
            return stored is not None and Decimal(expected.rstrip("%")) == stored
        except InvalidOperation:
            return False
    return expected == ("" if stored is None else str(stored))


def stored_updates(manifest: dict[str, Any]) -> tuple[dict[int, Any], dict[tuple, Any]]:
    """The run's returns by portfolio, and their updates by (kind, portfolio, item)."""
    from measures.models import ActionUpdate, MeasureUpdate
    from perfmon.models import Return

    returns = {
        ret.portfolio_id: ret
        for ret in Return.objects.filter(
            quarter__year__start_year=manifest["start_year"], quarter__number=manifest["quarter"]
        )
    }
    models = {"measure": (MeasureUpdate, "measure_id"), "action": (ActionUpdate, "action_id")}
    portfolio_of = {ret.pk: portfolio for portfolio, ret in returns.items()}
    updates: dict[tuple, Any] = {}
    for kind, (model, item_field) in models.items():
        for update in model.objects.filter(ret__in=returns.values()):
            updates[(kind, portfolio_of[update.ret_id], getattr(update, item_field))] = update
    return returns, updates


def check(manifest: dict[str, Any], results: dict[str, Any]) -> dict[str, Any]:
    from perfmon.models import Return

    returns, stored = stored_updates(manifest)
    checked, lost, foreign = 0, [], []
    for username, portfolio in results["officers"].items():
        items = manifest["items"][str(portfolio)]
        saved = results["saved"].get(username, {})
        uncertain = results["uncertain"].get(username, {})
        for key in sorted(saved.keys() | uncertain.keys()):
            kind, pk, field = key.split(":")
            if int(pk) not in items[f"{kind}s"]:
                foreign.append(f"{username}: {key} is not an item of their portfolio")
                continue
            checked += 1
            update = stored.get((kind, portfolio, int(pk)))
            value = getattr(update, field) if update is not None else None
            allowed = [saved.get(key), *uncertain.get(key, [])]
            if not any(_same(kind, field, expected, value) for expected in allowed):
                lost.append(f"{username}: {key} saved {allowed[0]!r}, stored {value!r}")
    not_approved = [
        portfolio
        for portfolio in results["approved"]
        if portfolio not in returns or returns[portfolio].state != Return.State.APPROVED
    ]
    return {
        "checked": checked,
        "lost": lost,
        "foreign": foreign,
        "states": dict(Counter(ret.state for ret in returns.values())),
        "approved_not_stored": not_approved,
    }


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit("usage: python -m benchmarks.loadtest.verify MANIFEST RESULTS VERDICT")
    manifest, results = (json.loads(Path(path).read_text()) for path in sys.argv[1:3])
    django.setup()
    Path(sys.argv[3]).write_text(json.dumps(check(manifest, results), indent=1))


if __name__ == "__main__":
    main()
