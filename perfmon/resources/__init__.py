"""Spreadsheet import and export for the performance team's admin: the base every app's
resources inherit (`HistoryResource`, in base), the widgets that find the frame by name
(widgets), the frame's own resources (frame) and the admin mixin (admin).

What every resource does (see HistoryResource):

- Export is safe to open: a cell a spreadsheet would run as a formula (=, +, -, @, tab or
  carriage return at the start) is written with a leading apostrophe, and read back
  without it (spreadsheets.escape_formula, which the annual results table uses too).
  django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips a
  leading "=", so this does not depend on it.
- Import is previewed, then all or nothing, in bulk: rows are checked one by one (every
  problem is reported against its row and cell, in words), then written with one
  INSERT and one UPDATE per model, each with its history rows carrying the importing
  person and the reason "import of <file name>". Unchanged rows are skipped.
- Related rows are found by what people call them (a portfolio by name, a year as
  2024/25), looked up in memory: the import's query count does not grow with its rows.
- An XLSX upload is read within limits checked before anything is allocated (the zip's
  directory, its XML counted as it unzips, the sheet's declared size, then rows, columns
  and cells while streaming): see spreadsheets, which the annual results importer uses too.
"""

from perfmon.resources.admin import SpreadsheetImportExportMixin
from perfmon.resources.base import (
    SPREADSHEET_FORMATS,
    BoundedXLSX,
    HistoryResource,
    KeyedInstanceLoader,
)
from perfmon.resources.frame import (
    CouncilPlanResource,
    PortfolioResource,
    PortfolioRoleResource,
    QuarterResource,
    ReportingYearResource,
    ThemeResource,
)
from perfmon.resources.spreadsheets import FORMULA_STARTS, escape_formula, unescape_formula
from perfmon.resources.widgets import (
    ItemWidget,
    LookupWidget,
    NotFound,
    PlanWidget,
    PortfolioWidget,
    ThemeWidget,
    UserWidget,
    YearLabelWidget,
    YearWidget,
    cell_text,
    parse_year,
    portfolio_field,
    row_year,
    theme_field,
    year_field,
)

__all__ = [
    "FORMULA_STARTS",
    "SPREADSHEET_FORMATS",
    "BoundedXLSX",
    "CouncilPlanResource",
    "HistoryResource",
    "ItemWidget",
    "KeyedInstanceLoader",
    "LookupWidget",
    "NotFound",
    "PlanWidget",
    "PortfolioResource",
    "PortfolioRoleResource",
    "PortfolioWidget",
    "QuarterResource",
    "ReportingYearResource",
    "SpreadsheetImportExportMixin",
    "ThemeResource",
    "ThemeWidget",
    "UserWidget",
    "YearLabelWidget",
    "YearWidget",
    "cell_text",
    "escape_formula",
    "parse_year",
    "portfolio_field",
    "row_year",
    "theme_field",
    "unescape_formula",
    "year_field",
]
