"""Import profiles: the column mappings the performance team saves for tables in layouts
perfmon does not read by itself, and reading a file with one."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction

from perfmon.models import Portfolio, User
from reports.annual_table import (
    ROLES,
    Mapping,
    Table,
    TableError,
    check_roles,
    header_guess,
    header_key,
    read_rows,
    rows_from_file,
)
from reports.importer import ParsedTable, parse_results
from reports.models import ImportProfile


class ProfileError(ValueError):
    """A mapping that cannot be saved; the message says why, for a person."""


def mapping_of(profile: ImportProfile) -> Mapping:
    return Mapping(header=tuple(profile.header), roles=tuple(profile.roles))


def save_import_profile(
    *, name: str, header: Sequence[str], roles: Sequence[str], user: User
) -> ImportProfile:
    """Save a named mapping of a header row's columns. Raises ProfileError when a role is
    given twice, Description is missing, the roles do not fit the header, or the name is
    taken."""
    key = header_key(header)
    roles = list(roles)[: len(key)]
    errors = check_roles(roles)
    if len(roles) != len(key):
        errors.append("Give every column of the header a role (or Ignore).")
    if not name.strip():
        errors.append("Name the profile, so it can be chosen again.")
    if errors:
        raise ProfileError(" ".join(errors))
    try:
        with transaction.atomic():
            profile = ImportProfile.objects.create(
                name=name.strip(), header=list(key), roles=roles, created_by=user
            )
    except IntegrityError as error:
        raise ProfileError(f"There is already a profile called “{name.strip()}”.") from error
    return profile


def read_table_rows(
    *, name: str, data: bytes, profile: ImportProfile | None = None
) -> tuple[Table, ImportProfile | None]:
    """The table of an uploaded file, read by its own header names, or with `profile`, or
    else with the first saved profile made for a header the file has. Raises TableError
    (with a sentence) when none of those reads it."""
    rows = list(rows_from_file(name, data))
    if profile is not None:
        return read_rows(rows, mapping_of(profile)), profile
    try:
        return read_rows(rows), None
    except TableError as error:
        keys = {header_key(cells) for cells in rows}
        for saved in ImportProfile.objects.all():
            if tuple(saved.header) in keys:
                return read_rows(rows, mapping_of(saved)), saved
        raise error


def read_results_with_profile(
    *, name: str, data: bytes, profile: ImportProfile | None = None
) -> tuple[ParsedTable, ImportProfile | None]:
    table, used = read_table_rows(name=name, data=data, profile=profile)
    known = Portfolio.objects.values_list("name", flat=True)
    parsed = parse_results(table.rows, portfolios=known)
    parsed.columns, parsed.headings = [ROLES.get(c, c) for c in table.columns], table.headings
    return parsed, used


def guess_mapping(*, name: str, data: bytes) -> tuple[int, list[str], list[str]] | None:
    """The header row perfmon would offer to map (line, cells, guessed roles)."""
    try:
        return header_guess(rows_from_file(name, data))
    except TableError:
        return None
