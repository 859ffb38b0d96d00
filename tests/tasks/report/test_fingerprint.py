"""A report's fingerprint: the same report, the same hash, across releases; anything it
shows or used changes it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from tasks.model.report import (
    IndicatorValue,
    MissingUnitRow,
    Points766Row,
    RejectedFileRow,
    ReportContent,
)
from tasks.report.fingerprint import report_fingerprint

USED = [{"kind": "submission", "path": "/archive/snv.xlsx", "content_hash": "abc",
         "agency": "SNV", "period": "2025-05", "file_name": "snv.xlsx",
         "arrived_at": "2025-06-02T08:00:00+07:00"}]
# The hash this report had before the report code was split into modules (issue 18): a
# rerun of an unchanged period must keep its version, so it must not move.
PINNED = "fd9794527517ee7e11abf7a98e10117e315b67b035d2824b0a4cbcf04cd8a586"


def _content() -> ReportContent:
    return ReportContent(
        period="2025-05", period_label_vi="tháng 5/2025", version=0,
        generated_at=datetime.fromtimestamp(0, UTC), window=(date(2025, 5, 1),
                                                             date(2025, 5, 31)),
        indicators=[IndicatorValue("TINH", "ti_le_dung_han", 9.0, 10.0, 90.0)],
        indicator_names={"ti_le_dung_han": "Tỷ lệ đúng hạn"},
        indicator_kinds={"ti_le_dung_han": "rate"}, unit_names={"SNV": "Sở Nội vụ"},
        missing=[MissingUnitRow("STC", "Sở Tài chính", "chưa nộp")],
        rejected=[RejectedFileRow("STP", "sai.xlsx", datetime(2025, 6, 3, tzinfo=UTC),
                                  "thiếu cột")],
    )


def test_an_unchanged_report_keeps_the_fingerprint_it_had() -> None:
    assert report_fingerprint(_content(), USED, provisional=False) == PINNED


def test_what_the_report_does_not_show_leaves_the_fingerprint() -> None:
    shown_elsewhere = replace(_content(), version=3, generated_at=datetime.now(UTC),
                              notes=["ghi chú"], data_gaps=["thiếu"])
    assert report_fingerprint(shown_elsewhere, USED, provisional=False) == PINNED


def test_a_provisional_report_differs_from_the_closed_one() -> None:
    assert report_fingerprint(_content(), USED, provisional=True) != PINNED


def test_waiting_files_and_the_766_points_change_it_only_when_present() -> None:
    waiting = replace(_content(), missing=[
        MissingUnitRow("STC", "Sở Tài chính", "tệp đang chờ thu nhận",
                       waiting_files=("STC/bao-cao.xlsx",))])
    points = replace(_content(), index766_points=[Points766Row(0, "Tổng", 10.0, 5.0, 5.0,
                                                               "")])
    assert report_fingerprint(waiting, USED, provisional=False) != PINNED
    assert report_fingerprint(points, USED, provisional=False) != PINNED


def test_another_input_file_changes_it() -> None:
    other = [{**USED[0], "content_hash": "abd"}]
    assert report_fingerprint(_content(), other, provisional=False) != PINNED
