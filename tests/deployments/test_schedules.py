"""Every deployment, as ``serve`` and as a work pool see it: names, entrypoints,
schedules in Vietnam time, and a parameter form an operator can fill in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from prefect.client.schemas.objects import ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment

from deployments.schedules import build_deployments
from deployments.worker import REPO_ROOT, build_worker_deployments

# Written by hand from /work/shared/domain.md: months close on the 14th, agencies are due
# on the 18th; Q1, 6 months, 9 months and the year close on 14 Mar/Jun/Sep/Dec.
EXPECTED = {
    "bao-cao-thang": ("flows/monthly_report.py:monthly_report", "0 7 19 * *", "month"),
    "bao-cao-quy": ("flows/monthly_report.py:monthly_report", "0 8 19 3 *", "quarter"),
    "bao-cao-6-thang": ("flows/monthly_report.py:monthly_report", "0 8 19 6 *", "half"),
    "bao-cao-9-thang": ("flows/monthly_report.py:monthly_report", "0 8 19 9 *",
                        "nine_months"),
    "bao-cao-nam": ("flows/monthly_report.py:monthly_report", "0 8 19 12 *", "year"),
    "thu-nhan": ("flows/collect.py:collect_submissions", "*/15 * * * *", None),
    # 08:00 on the 15th and the day before the due date (18th by default)
    "nhac-nop-bao-cao": ("flows/reminders.py:reminders", "0 8 15,17 * *", None),
}


@pytest.fixture(scope="module")
def served() -> dict[str, RunnerDeployment]:
    return {d.name: d for d in build_deployments()}


@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RunnerDeployment]:
    workspace = tmp_path_factory.mktemp("workspace")
    return {d.name: d for d in build_worker_deployments(workspace=workspace)}


def _schema(deployment: RunnerDeployment) -> dict[str, Any]:
    return deployment._parameter_openapi_schema.model_dump()["properties"]


@pytest.mark.parametrize("way", ["served", "pooled"])
def test_names_entrypoints_and_vietnam_time_schedules(way: str,
                                                      request: pytest.FixtureRequest) -> None:
    deployments: dict[str, RunnerDeployment] = request.getfixturevalue(way)
    assert set(deployments) == set(EXPECTED)
    for name, (entrypoint, cron, kind) in EXPECTED.items():
        deployment = deployments[name]
        assert deployment.entrypoint == entrypoint, name
        [schedule] = deployment.schedules or []
        assert (schedule.schedule.cron, schedule.schedule.timezone) == (
            cron, "Asia/Ho_Chi_Minh"), name
        assert "period" not in deployment.parameters, name  # derived from the run date
        assert "workspace" not in deployment.parameters, name
        assert deployment.parameters.get("period_kind") == kind, name
        assert deployment.enforce_parameter_schema, name


def test_collection_never_queues_behind_itself(served: dict[str, RunnerDeployment]) -> None:
    collect = served["thu-nhan"]
    assert collect.concurrency_limit == 1
    assert collect.concurrency_options is not None
    assert collect.concurrency_options.collision_strategy == ConcurrencyLimitStrategy.CANCEL_NEW
    assert served["bao-cao-thang"].concurrency_limit is None  # reports: one slot per period


def test_pool_deployments_run_this_checkout_in_the_given_workspace(
        pooled: dict[str, RunnerDeployment]) -> None:
    for deployment in pooled.values():
        assert deployment.storage is not None
        [(step, args)] = deployment.storage.to_pull_step().items()
        assert step == "prefect.deployments.steps.set_working_directory"
        assert Path(args["directory"]) == REPO_ROOT
        [(key, value)] = deployment.job_variables["env"].items()
        assert key == "CCHC_WORKSPACE" and Path(value).is_absolute()


def test_the_report_form_is_described_in_vietnamese_without_a_workspace_field(
        served: dict[str, RunnerDeployment]) -> None:
    form = _schema(served["bao-cao-thang"])
    assert list(form) == ["period", "force", "publish", "period_kind",
                          "wait_for_files", "open_period"]  # no free path
    assert form["open_period"]["default"] is False  # a period not closed is refused
    assert "bản tạm" in form["open_period"]["description"]
    assert "chưa kết thúc" in form["period"]["description"]
    assert form["wait_for_files"]["default"] is False  # a scheduled run never waits
    assert "tệp đang chờ thu nhận" in form["wait_for_files"]["description"]
    assert "2025-05" in form["period"]["examples"]
    assert "Kỳ báo cáo" in form["period"]["description"]
    assert "phiên bản mới" in form["force"]["description"]
    assert "Sở Nội vụ" in form["publish"]["description"]
    assert form["period_kind"]["enum"] == ["month", "quarter", "half", "nine_months", "year"]
    assert "quý" in form["period_kind"]["description"]
    collect = _schema(served["thu-nhan"])
    assert list(collect) == ["period", "wait_for_files"]
    assert "thu nhận" in collect["period"]["description"]
    assert collect["wait_for_files"]["default"] is False
    assert _schema(served["nhac-nop-bao-cao"]) == {}  # nothing to fill in, no free path
