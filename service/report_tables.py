"""The programme report as the two tables the admin page, its CSV and Excel and the CLI show."""

from __future__ import annotations

import duckdb

from matching import reports
from matching.reports import ProgrammeReport
from service.i18n import translator
from service.labels import report_headers

Tables = tuple[list[list[str]], list[list[str]]]


def report_tables(con: duckdb.DuckDBPyConnection, report: ProgrammeReport, *, lang: str) -> Tables:
    """By intake group and by occupation group, small cells hidden, headers and group names in ``lang``."""
    headers = report_headers(translator(lang))
    names = reports.group_names(con, list(report.groups), lang=lang)
    return reports.table(report, headers=headers, no_cohort=headers["no_cohort"],
                         group_names=names | {"": headers["no_group"]})
