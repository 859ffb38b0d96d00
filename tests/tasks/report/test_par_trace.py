"""Tracing a point of the yearly CCHC index (tasks/report/par_trace.py): an appraisal that
changed a computed criterion, with the indicator's months; a self-assessed point with its
file; the year read back from the version's indicators.json in a real database."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.database import Database
from tasks.report.par_trace import trace_points
from tasks.report.trace import TraceError
from tests import par_scenario
from tests.tasks.report.test_par_year_report import YEAR, _reporting


@pytest.fixture
def published(db: Database, workspace: Path, tmp_path: Path) -> Database:
    par_scenario.publish_months(db, workspace / "reports")
    reporting = _reporting(db, workspace, tmp_path, par_scenario.ASSESSED)
    built = reporting.build(*reporting.gather(YEAR), data_gaps=(), dossier_counts=None,
                            waiting=(), provisional=False)
    reporting.publish(built, force=False, run_id="nam")
    return db


def test_an_appraisal_change_is_traced_to_its_file_and_the_computed_months(
        published: Database) -> None:
    lines = trace_points(published, "2025", "SNV", "1.1")
    text = "\n".join(lines)
    assert lines[0].startswith("Năm 2025, bản v1: Chỉ số CCHC của Sở Nội vụ (SNV), tiêu chí 1.1")
    assert "Điểm: 2/2 — Sở Nội vụ thẩm định" in text
    assert "Điểm tính từ số liệu: 1" in text
    # 600 ÷ 660 from the twelve months, each with the version it was read from
    assert "tử số 600, mẫu số 660" in text
    assert "2025-03 bản v2: tử số 90, mẫu số 100" in text  # March's newer version
    assert sum(1 for line in lines if " bản v" in line and line.startswith("  2025-")) == 12
    assert (f"Thẩm định: 2 điểm, lý do: đối chiếu hồ sơ tháng 3, tệp: "
            f"{par_scenario.APPRAISAL_FILE}") in text


def test_a_self_assessed_point_names_its_file_and_evidence(published: Database) -> None:
    text = "\n".join(trace_points(published, "2025", "SNV", "1.4"))
    assert "đơn vị tự chấm" in text
    assert (f"Tự chấm: 1 điểm, tài liệu kiểm chứng: Kế hoạch tuyên truyền số 12/KH-SNV, tệp: "
            f"{par_scenario.SELF_FILE}") in text


def test_a_merged_unit_is_traced_over_its_months(published: Database) -> None:
    text = "\n".join(trace_points(published, "2025", "SKHDT", "2.2"))
    assert "Đơn vị được chấm trên các tháng: 01, 02" in text
    assert "tử số 160, mẫu số 200" in text


def test_what_cannot_be_traced_says_why(published: Database) -> None:
    with pytest.raises(TraceError, match=r"không có tiêu chí 9\.9"):
        trace_points(published, "2025", "SNV", "9.9")
    with pytest.raises(TraceError, match="không chấm đơn vị X30307"):
        trace_points(published, "2025", "X30307", "1.1")
    with pytest.raises(TraceError, match="chưa có bản báo cáo"):
        trace_points(published, "2024", "SNV", "1.1")


def test_cli_trace_of_a_criterion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cli.main import app
    from tests.tasks.report.test_par_year_report import _reporting as reporting_of

    workspace = tmp_path / "ws"
    workspace.mkdir()
    monkeypatch.delenv("CCHC_DATABASE_URL", raising=False)
    db = Database.from_url(f"sqlite:///{workspace / 'cchc.db'}")
    db.migrate()
    par_scenario.publish_months(db, workspace / "reports")
    reporting = reporting_of(db, workspace, tmp_path, par_scenario.ASSESSED)
    reporting.publish(reporting.build(*reporting.gather(YEAR), data_gaps=(),
                                      dossier_counts=None, waiting=(), provisional=False),
                      force=False, run_id="nam")
    db.dispose()
    result = CliRunner().invoke(app, ["trace", "--period", "2025", "--unit", "snv",
                                      "--criterion", "2.1", "--workspace", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "Thẩm định: 1,5 điểm, lý do: Kế hoạch thiếu sản phẩm" in result.output
    both = CliRunner().invoke(app, ["trace", "--period", "2025", "--unit", "SNV",
                                    "--criterion", "2.1", "--indicator", "on_time_rate",
                                    "--workspace", str(workspace)])
    assert both.exit_code == 2 and "Ghi một trong hai" in both.output
