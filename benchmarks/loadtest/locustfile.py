"""The Locust users: officers filling in their return, directors approving it.

swarm.py sets PLAN (who signs in as whom, and where the results go) and starts one
user per officer and director of the manifest. Every user signs in, waits until all
have, then works through its script once and stops:

- an officer starts at a random moment of the first LOADTEST_ARRIVAL seconds, then, for
  each of LOADTEST_ROUNDS rounds: loads the home page, loads the return
  page, changes LOADTEST_CHANGES measure actuals and one action's status and commentary,
  and posts the whole form back (as a browser would, following the redirect); officers
  marked `submits` fill in every item of their share on their last round, save and
  check their answers, then tick the declaration and submit;
- a director waits until their portfolio's return is submitted, loads it and approves
  it through the page's own decision form.

Officers sharing a portfolio each change only their own share of it (officer k of n:
items k, k+n, k+2n... in page order). Every value an officer saved successfully is
kept, so verify.py can check that the database still holds it.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import FastHttpUser, constant, task
from locust.exception import StopUser

from benchmarks.loadtest.config import LoadTestConfig
from benchmarks.loadtest.htmlforms import Form, Page, parse_page

REQUEST_TIMEOUT = 120  # seconds; a request that takes longer counts as an error
FORM_ENCODED = "application/x-www-form-urlencoded"  # what a browser posts a form as
HEADING = "h1"  # flash messages and error summaries come before a page's heading

_TRAILING_NUMBER = re.compile(r"(\d+)$")


def outcome_of(status: int) -> str:
    """A response's outcome. 409 and 400 are the site refusing a save, not failures."""
    if status in {200, 302}:
        return "ok"
    if status == 409:
        return "conflict"
    if status == 400:
        return "invalid"
    return "error"


def item_key(name: str, *, kind: str) -> str:
    """The key verify.py reads a changed field back by: "measure:123:actual" for "m123-actual".

    The item's id is the number ending the field's prefix (Django form prefixes); a field
    named otherwise raises ValueError, which the harness reports as its own error.
    """
    prefix, _, field_name = name.rpartition("-")
    match = _TRAILING_NUMBER.search(prefix)
    if not match:
        raise ValueError(f"cannot tell which item the field {name!r} belongs to")
    return f"{kind}:{match.group(1)}:{field_name}"


@dataclass
class Record:
    step: str
    ms: float
    outcome: str
    status: int
    at: float  # seconds since the run started


@dataclass
class Plan:
    """What the users share in the Locust process (one process, greenlets: no locks)."""

    manifest: dict[str, Any]
    config: LoadTestConfig
    officers: list[dict[str, Any]] = field(default_factory=list)
    directors: list[dict[str, Any]] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    saved: dict[str, dict[str, str]] = field(default_factory=dict)
    # Values sent in a save the site answered otherwise (a 409 may keep part of a save),
    # since the officer's last confirmed save of the field: the database may hold any.
    uncertain: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    notes: Counter[str] = field(default_factory=Counter)
    harness_errors: list[str] = field(default_factory=list)
    submitted: dict[int, Event] = field(default_factory=lambda: defaultdict(Event))
    approved: list[int] = field(default_factory=list)
    all_signed_in: Event = field(default_factory=Event)
    officers_done: Event = field(default_factory=Event)
    everyone_done: Event = field(default_factory=Event)
    created: float = field(default_factory=time.perf_counter)
    started: float | None = None  # when every user had signed in
    finished: float | None = None
    unassigned: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _arrived: int = 0
    _officers_left: int = 0
    _users_left: int = 0

    def __post_init__(self) -> None:
        self.officers = list(self.manifest["officers"])
        self.directors = list(self.manifest["directors"])
        self.unassigned = {"officers": list(self.officers), "directors": list(self.directors)}
        self._officers_left = len(self.officers)
        self._users_left = len(self.officers) + len(self.directors)

    @property
    def users(self) -> int:
        return len(self.officers) + len(self.directors)

    def arrive(self) -> None:
        self._arrived += 1
        if self._arrived == self.users:
            self.started = time.perf_counter()
            self.all_signed_in.set()

    def leave(self, *, officer: bool) -> None:
        if officer:
            self._officers_left -= 1
            if self._officers_left == 0:
                self.officers_done.set()
        self._users_left -= 1
        if self._users_left == 0:
            self.finished = time.perf_counter()
            self.everyone_done.set()

    def note(self, step: str, status: int | str, texts: list[str]) -> None:
        """Count what the site said, in general: the sentence before any colon, since
        the rest names people and items."""
        said = texts[0].split(":")[0] if texts else "(nothing shown)"
        self.notes[f"{step} {status}: {said}"] += 1

    def harness_error(self, who: str, what: str) -> None:
        self.harness_errors.append(f"{who}: {what}")


PLAN: Plan | None = None


def plan() -> Plan:
    assert PLAN is not None, "swarm.py sets the plan before starting the users"
    return PLAN


class PerfmonUser(FastHttpUser):
    """Locust's geventhttpclient user: a fraction of python-requests' CPU per request,
    which leaves more of the machine it shares to the site under test."""

    abstract = True
    wait_time = constant(0)
    network_timeout = connection_timeout = REQUEST_TIMEOUT
    identities: str = ""  # the Plan's list this kind of user takes its identity from

    def on_start(self) -> None:
        self.identity: dict[str, Any] = plan().unassigned[self.identities].pop()
        self.username: str = self.identity["username"]
        self.return_url: str = plan().manifest["returns"][str(self.identity["portfolio"])]
        self.rng = random.Random(self.username)

    # Requests ------------------------------------------------------------------------

    def call(self, step: str, method: str, url: str, data: Any = None) -> tuple[Any, Record]:
        started = time.perf_counter()
        headers = {"Content-Type": FORM_ENCODED} if data is not None else None
        body = urlencode(data) if data is not None else None
        response = self.client.request(
            method, url, name=step, data=body, headers=headers, allow_redirects=False
        )
        ms = (time.perf_counter() - started) * 1000
        status = int(response.status_code or 0)
        record = Record(step, ms, outcome_of(status), status, started - plan().created)
        plan().records.append(record)
        if record.outcome == "error":
            error = getattr(response, "error", None)
            plan().note(step, status or "no response", [type(error).__name__] if error else [])
        return response, record

    def load(self, step: str, url: str, *, until: str | None = None) -> Page | None:
        response, record = self.call(step, "GET", url)
        return parse_page(response.content, until=until) if record.status == 200 else None

    def think(self) -> None:
        gevent.sleep(self.rng.uniform(*plan().config.think))

    def sign_in(self) -> bool:
        page = self.load("sign in", "/sign-in/")
        form = page.form_posting_to("/sign-in/") if page else None
        if form is None:
            plan().harness_error(self.username, "no sign-in form")
            return False
        password = next(c.name for c in form.controls if c.type == "password")
        login = next(c.name for c in form.controls if c.editable and c.type in {"text", "email"})
        body = form.body({login: self.username, password: plan().manifest["password"]})
        response, record = self.call("sign in", "POST", "/sign-in/", body)
        if record.status != 302:
            plan().harness_error(self.username, f"sign-in answered {record.status}")
            return False
        return True

    def post_and_follow(
        self, step: str, url: str, body: list[tuple[str, str]], *, page_step: str
    ) -> tuple[Record, Page | None]:
        """Post as a browser does: a redirect is followed (timed as `page_step`). Only
        the top of the page it leads to is read: its messages and error summaries."""
        response, record = self.call(step, "POST", url, body)
        if record.status == 302:
            return record, self.load(page_step, response.headers["location"], until=HEADING)
        return record, parse_page(response.content) if record.status in {200, 400, 409} else None

    @task
    def script(self) -> None:
        signed_in = False
        try:
            signed_in = self.sign_in()
        except Exception as error:  # the harness's own mistakes are counted, not raised
            plan().harness_error(self.username, f"sign-in: {error!r}")
        finally:
            plan().arrive()
        plan().all_signed_in.wait()
        try:
            if signed_in:
                self.work()
        except Exception as error:
            plan().harness_error(self.username, repr(error))
        finally:
            plan().leave(officer=isinstance(self, OfficerUser))
        raise StopUser()

    def work(self) -> None:
        raise NotImplementedError


class OfficerUser(PerfmonUser):
    identities = "officers"

    def work(self) -> None:
        rounds = plan().config.rounds
        self.saved: dict[str, str] = plan().saved.setdefault(self.username, {})
        self.uncertain: dict[str, list[str]] = plan().uncertain.setdefault(self.username, {})
        # People arrive over a few seconds, not in one instant (LOADTEST_ARRIVAL).
        gevent.sleep(self.rng.uniform(0, plan().config.arrival))
        for number in range(rounds):
            self.call("home", "GET", "/")
            form = self.return_form()
            if form is None:
                continue
            self.think()
            self.save(form, number, submit=self.identity["submits"] and number == rounds - 1)
            self.think()

    def return_form(self) -> Form | None:
        page = self.load("return page", self.return_url)
        if page is None:
            return None
        form = page.form_posting_to(self.return_url)
        if form is None:
            plan().harness_error(self.username, "the return page has no form to save")
        return form

    def changes(self, form: Form, number: int, *, submit: bool) -> dict[str, str]:
        """This round's changes, by field name: measure actuals, one action's status and
        commentary; on a submitting round, an actual and a status for every item."""
        editable = [c for c in form.controls if c.editable and c.name]
        actuals = [c.name for c in editable if c.tag == "input" and c.name.endswith("-actual")]
        statuses = [c for c in editable if c.tag == "select" and c.name.endswith("-status")]
        slot, slots = self.identity["slot"], self.identity["slots"]
        actuals, statuses = actuals[slot::slots], statuses[slot::slots]
        count = plan().config.changes
        if submit:
            chosen = actuals
        else:
            chosen = [actuals[(number * count + j) % len(actuals)] for j in range(count)]
        changes = {name: f"{number + 1}.{i % 100:02d}%" for i, name in enumerate(chosen)}
        action = statuses[number % len(statuses)]
        for status in statuses if submit else [action]:
            choices = [o.value for o in status.options if o.value not in {"", "completed"}]
            changes[status.name] = choices[(number + slot) % len(choices)]
        commentary = action.name.removesuffix("-status") + "-commentary"
        changes[commentary] = f"Round {number + 1} note from {self.username}"
        return changes

    def keys(self, changes: dict[str, str]) -> dict[str, str]:
        return {
            item_key(name, kind="measure" if name.endswith("-actual") else "action"): value
            for name, value in changes.items()
        }

    def save(self, form: Form, number: int, *, submit: bool) -> None:
        changes = self.changes(form, number, submit=submit)
        keys = self.keys(changes)  # a field it cannot map is a harness error, before posting
        step = "save"
        for attempt in range(plan().config.conflict_retries + 1):
            # A submitting officer saves and goes to Check your answers, then submits there.
            button = "check" if submit else ("save" if "save" in form.names() else None)
            body = form.body(changes, button=button)
            if submit:
                response, record = self.call(step, "POST", self.return_url, body)
                if record.status == 302:
                    self.confirmed(keys)
                    self.submit_checked(response.headers["location"])
                    return
                page = parse_page(response.content) if record.status in {200, 400, 409} else None
            else:
                record, page = self.post_and_follow(
                    step, self.return_url, body, page_step="return page"
                )
            if record.status == 409:
                plan().note(step, record.status, page.error_titles if page else [])
                self.unconfirmed(keys)
                if attempt == plan().config.conflict_retries:
                    return
                # What a careful person does: reload, type their changes again, save.
                self.think()
                reloaded = self.return_form()
                if reloaded is None:
                    return
                form = reloaded
                continue
            if record.status not in {200, 302} or page is None:
                if page is not None and page.error_titles:
                    plan().note(step, record.status, page.error_titles)
                return
            self.saved_or_refused(step, record, page, keys, submit=submit)
            return

    def submit_checked(self, check_url: str) -> None:
        """On Check your answers: tick the declaration and submit."""
        page = self.load("check page", check_url)
        form = page.form_posting_to(check_url) if page else None
        if form is None:
            plan().harness_error(self.username, "the check page has no form to submit")
            return
        record, shown = self.post_and_follow(
            "submit", check_url, form.body({"declaration": "on"}), page_step="return page"
        )
        if record.status == 302 and shown is not None and any(ok for ok, _ in shown.banners):
            plan().submitted[self.identity["portfolio"]].set()
            return
        record.outcome = "refused"
        plan().note("submit", record.status, shown.error_titles if shown else [])

    def saved_or_refused(
        self, step: str, record: Record, page: Page, keys: dict[str, str], *, submit: bool
    ) -> None:
        if record.status == 200:
            # Rendered again rather than redirected: the save is kept, the page says why.
            shown = page.error_titles[:1] or [text for _, text in page.banners[:1]]
            plan().note(step, "200 (page shown again)", shown)
            self.confirmed(keys)
            return
        if any(success for success, _ in page.banners):
            self.confirmed(keys)
            if submit:
                plan().submitted[self.identity["portfolio"]].set()
            return
        record.outcome = "refused"
        self.unconfirmed(keys)
        plan().note(step, "refused", [text for _, text in page.banners])

    def confirmed(self, keys: dict[str, str]) -> None:
        self.saved.update(keys)
        for key in keys:
            self.uncertain.pop(key, None)

    def unconfirmed(self, keys: dict[str, str]) -> None:
        for key, value in keys.items():
            self.uncertain.setdefault(key, []).append(value)


class DirectorUser(PerfmonUser):
    identities = "directors"

    def work(self) -> None:
        portfolio = self.identity["portfolio"]
        submitted = plan().submitted[portfolio]
        while not submitted.is_set() and not plan().officers_done.is_set():
            gevent.wait([submitted, plan().officers_done], count=1)
        if not submitted.is_set():
            return
        self.think()
        page = self.load("return page (director)", self.return_url)
        if page is None:
            return
        decision = next(
            (
                f
                for f in page.forms
                if f.method == "post" and any(c.type == "radio" for c in f.controls)
            ),
            None,
        )
        if decision is None:
            plan().harness_error(self.username, "a submitted return without a decision form")
            return
        approve = next(
            (c for c in decision.controls if c.type == "radio" and "approve" in c.value.lower()),
            None,
        )
        if approve is None:
            plan().harness_error(self.username, "the decision form has no approve choice")
            return
        record, after = self.post_and_follow(
            "approve",
            decision.action,
            decision.body({approve.name: approve.value}),
            page_step="return page (director)",
        )
        if record.status == 302 and after is not None:
            if any(success for success, _ in after.banners):
                plan().approved.append(portfolio)
            else:
                record.outcome = "refused"
                plan().note("approve", "refused", [text for _, text in after.banners])
