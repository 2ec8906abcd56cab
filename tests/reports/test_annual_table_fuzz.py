"""Whatever bytes arrive as an annual results file, the reader either reads them or says
why not in a sentence: it never fails in a way the performance team cannot act on."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.annual_table import TableError, read_rows, rows_from_file
from reports.importer import parse_results
from tests.reports.test_import_results import HEADER, SMALL

# Cells that look like the real ones, so the fuzzing reaches the value and heading paths.
cell = st.sampled_from(
    [
        "GF PM01",
        "Ref",
        "Description",
        "93.2%",
        "£1,000",
        "N/A",
        "Green/Amber",
        "Improving",
        "Risk score 16",
        "",
        "Completed",
        "Governance",
        "Delivery Plan measures",
        "ninety",
        "Key",
        "=1+1",
        "12.8 days",
    ]
) | st.text(max_size=12)
line = st.lists(cell, max_size=9).map("\t".join)
table_text = st.lists(line, max_size=30).map(lambda lines: "\n".join([HEADER, *lines]))


def _read(name: str, data: bytes) -> None:
    try:
        table = parse_results(read_rows(rows_from_file(name, data)).rows)
    except TableError as error:
        assert str(error).endswith((".", ")"))
        return
    for problem in table.problems + table.warnings:
        assert problem.line >= 1 and problem.reason


@settings(database=None, max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000), name=st.sampled_from(["a.tsv", "a.csv", "a.xlsx"]))
def test_it_reads_any_bytes_or_says_why_not(data: bytes, name: str) -> None:
    _read(name, data)


@settings(database=None, max_examples=200, deadline=None)
@given(text=table_text)
def test_it_reads_any_table_under_a_header_or_says_which_rows_are_wrong(text: str) -> None:
    _read("a.tsv", text.encode())


@settings(database=None, max_examples=50, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(SMALL)))
def test_it_reads_a_table_cut_off_anywhere(cut: int) -> None:
    _read("a.tsv", SMALL[:cut].encode())
