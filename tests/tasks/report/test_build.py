"""Building a period's report: the banners come first, in a fixed order, and the
fingerprint covers what the report shows."""

from __future__ import annotations

from config.registry import Registry
from connectors.database import Database
from tasks.model.periods import parse_period
from tasks.model.report import PORTAL_MISSING_VI
from tasks.model.rules import ReportingRules
from tasks.model.vocabulary import STATE_MISSING
from tasks.report.build import build_report
from tasks.report.fingerprint import report_fingerprint
from tasks.report.period_inputs import gather_inputs

FETCH_FAILED = "Không lấy được số liệu từ cổng dịch vụ công"


def test_an_empty_period_lists_every_unit_and_says_what_it_lacks(
        db: Database, registry: Registry) -> None:
    inputs, portal, rejections = gather_inputs(db, parse_period("2025-05"),
                                               rules=ReportingRules())
    built = build_report(registry, inputs, portal, rejections, data_gaps=[FETCH_FAILED])
    content = built.content
    assert content.portal_missing and content.data_gaps == [PORTAL_MISSING_VI, FETCH_FAILED]
    assert content.missing and {m.state for m in content.missing} == {STATE_MISSING}
    assert built.inputs == []
    assert built.fingerprint == report_fingerprint(content, [], provisional=False)


def test_a_provisional_report_says_so_first_and_is_fingerprinted_apart(
        db: Database, registry: Registry) -> None:
    inputs, portal, rejections = gather_inputs(db, parse_period("2025-05"),
                                               rules=ReportingRules())
    closed = build_report(registry, inputs, portal, rejections)
    early = build_report(registry, inputs, portal, rejections, provisional=True)
    assert early.content.data_gaps[0].startswith("BẢN TẠM: kỳ tháng 5/2025 chưa kết thúc")
    assert "14/05/2025" in early.content.data_gaps[0]
    assert early.content.data_gaps[1:] == closed.content.data_gaps
    assert early.fingerprint != closed.fingerprint
