"""pipeline.core.report: Markdown tables for the bench and the job summaries."""

from __future__ import annotations

from pipeline.core import report


def test_report_tables_align_numbers_right() -> None:
    assert report.table(["name", "n"], [("a", 1)]) == "| name | n |\n| --- | ---: |\n| a | 1 |"
