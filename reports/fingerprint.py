"""What a kept report file depends on, besides what was asked for: the approved data the
reports read, and the code and settings that draw them. Two files with the same request
and the same fingerprints show the same thing.
"""

from __future__ import annotations

import hashlib
import importlib
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Count, QuerySet

from perfmon.models import PortfolioRole, Return, User
from reports.models import CountingSetting, ResultsImport

# Models with history that no report reads: changing them must not discard kept files.
NOT_READ = {User, PortfolioRole}
ITEM_APPS = ("perfmon", "measures", "projects", "risks")


def _recorded_histories() -> tuple[list[QuerySet[Any]], list[QuerySet[Any]]]:
    """The changes simple_history records to the models of the apps below reports, as
    (of models read as they are, of quarterly updates hanging off a Return)."""
    plain: list[QuerySet[Any]] = []
    updates: list[QuerySet[Any]] = []
    for label in ITEM_APPS:
        for model in apps.get_app_config(label).get_models():
            # simple_history notes here the name of the manager it adds to a model it records
            manager = getattr(model._meta, "simple_history_manager_attribute", None)
            if manager is None:
                continue
            if model in NOT_READ or model is Return:
                continue
            history: QuerySet[Any] = getattr(model, manager).all()
            on_return = any(
                field.is_relation and field.related_model is Return for field in model._meta.fields
            )
            (updates if on_return else plain).append(history)
    return plain, updates


def _latest_change(history: QuerySet[Any]) -> QuerySet[Any]:
    return history.order_by("-history_date").values("history_date")[:1]


def data_queries() -> list[QuerySet[Any]]:
    """The scalar queries whose answers make the data fingerprint (see `data_fingerprint`)."""
    approved = Return.objects.filter(state=Return.State.APPROVED).order_by()
    plain, updates = _recorded_histories()
    return [
        approved.values("state").annotate(n=Count("pk")).values("n"),
        approved.order_by("-updated_at").values("updated_at")[:1],
        ResultsImport.objects.filter(state=ResultsImport.State.IMPORTED)
        .order_by("-finished_at")
        .values("finished_at")[:1],
        *(_latest_change(history) for history in plain),
        *(_latest_change(history.filter(ret__state=Return.State.APPROVED)) for history in updates),
    ]


def data_fingerprint() -> str:
    """A digest that changes whenever what an approved report shows may have changed.
    One query, whatever the size of the council.

    It is made of:

    - the number of approved returns and the latest `updated_at` among them. Approving or
      reopening a return moves its `updated_at` to the moment of the step (and reopening
      lowers the count), so either changes the digest; saving a draft does not, because a
      draft return is not in the set. An import that creates approved returns adds to it.
    - the latest change recorded (simple_history) to the updates of approved returns: an
      import that rewrites a result in a return already approved, from the admin or the
      `import_results` command, leaves a history row there and nowhere else.
    - the latest change recorded to anything else a report reads: the items themselves
      (titles, targets, polarity, lineage: the performance team edits them in the admin,
      without a return event), quarter targets, themes, plans, portfolios, years and
      quarters, rating schemes and risk matrices. Every model with history in perfmon,
      measures, projects and risks is included unless listed in NOT_READ, so a new kind
      is covered without touching this.
    - the latest finished annual results import from the admin. History rows are dated
      when written, not when their transaction commits, so a later-dated edit committed
      while a long import ran could otherwise hide the import's rows from a maximum. (An
      `import_results` command run leaves no such row: the gap left is an import that
      changes only items of one kind while someone edits items of that kind in the admin;
      its files are replaced at the next change, or by `prune_report_files --all`.)

    It is global, not per year, on purpose: a year's reports read earlier years (last
    year's actual, five years of a measure's trend, last year's fourth-quarter risk
    scores) and an import into next year may add items to this one. The events that move
    it (approvals, reopenings, imports, admin edits) come a few dozen times a quarter, so
    the price is one rebuild of a file the next time it is asked for after one of them.

    Every part is the head of an index (`history_date` is indexed by simple_history; the
    returns table holds a row per portfolio and quarter), so the query stays cheap as
    history grows.
    """
    sql, params = _fingerprint_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()


@cache
def _fingerprint_sql(vendor: str) -> tuple[str, tuple[Any, ...]]:
    """The fingerprint's SELECT, compiled once per process (compiling two dozen querysets
    costs more than running them): every part is a scalar subquery of one SELECT, so the
    whole is one round trip."""
    parts: list[str] = []
    params: list[Any] = []
    for query in data_queries():
        sql, query_params = query.query.sql_with_params()
        parts.append(f"({sql})")
        params.extend(query_params)
    return "SELECT " + ", ".join(parts), tuple(params)


# The code that turns the data into a file: a release that changes any of it makes new keys,
# so nobody is given a file drawn by the code of an earlier release.
DRAWING_MODULES = (
    "reports.builders.annual",
    "reports.builders.common",
    "reports.builders.exceptions",
    "reports.builders.items",
    "reports.builders.keys",
    "reports.builders.quarterly",
    "reports.builders.summary",
    "reports.builders.trend",
    "reports.catalogue",
    "reports.rendering",
    "reports.csv",
    "reports.pdf",
    "reports.xlsx",
    "measures.rules",
    "projects.rules",
    "risks.rules",
    "perfmon.quarters",
)


@cache
def code_fingerprint() -> str:
    """A digest of the report modules' source and the reports' templates, read once per
    process."""
    digest = hashlib.sha256()
    paths = [Path(str(importlib.import_module(name).__file__)) for name in DRAWING_MODULES]
    paths += sorted((Path(settings.BASE_DIR) / "templates" / "reports").glob("*.html"))
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def settings_fingerprint() -> str:
    """The settings a report's words depend on (the council's name, its counting and the
    counting convention chosen in the admin)."""
    chosen = (
        settings.COUNCIL_NAME,
        getattr(settings, "REPORTS_COUNTING", {}),
        CountingSetting.load().convention,
    )
    return hashlib.sha256(repr(chosen).encode()).hexdigest()
