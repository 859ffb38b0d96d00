"""Flow: the monthly (or quarterly, …) consolidated report for Sở Nội vụ."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from prefect import flow
from prefect.runtime import flow_run
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from config.settings import load_settings
from flows.collect import collect_inbox, collect_portal
from flows.period_run import is_provisional, period_slot, report_period
from flows.portal_api import fetch_portal_figures
from flows.resources import ReadOnlyResources, build_resources
from tasks.delivery import steps as delivery_steps
from tasks.intake import steps as intake_steps
from tasks.intake.summaries import waiting_summary
from tasks.model.periods import PeriodKind
from tasks.report import steps as report_steps


@flow(name="monthly-report", log_prints=True)
def monthly_report(
    period: Annotated[str | None, Field(examples=["2025-05", "2025-Q1", "2025-H1", "2025-9M",
                                                  "2025"])] = None,
    force: bool = False,
    publish: bool = True,
    workspace: SkipJsonSchema[str | None] = None,
    period_kind: PeriodKind = "month",
    wait_for_files: bool = False,
    open_period: bool = False,
) -> dict[str, object]:
    """Collect what is waiting, compute the period's indicators and publish the report.

    A rerun with unchanged inputs keeps the existing version unless ``force``; new or
    corrected inputs make ``v<N+1>``. Publishing copies the version to the outbox and
    e-mails it once (when SMTP is set); a failed mail ends the run FAILED after the
    artifacts, and the next run resends it. Two runs for the same period never overlap:
    the second waits (``CCHC_LOCK_TIMEOUT_SECONDS``), then stops with a clear message.

    Args:
        period: Kỳ báo cáo, ví dụ 2025-05, 05/2025, Tháng 5/2025, 2025-Q1, Quý I/2025,
            2025-H1, 2025-9M, 2025. Để trống: kỳ gần nhất đã kết thúc, loại kỳ theo period_kind.
            Kỳ viết sai, hoặc kỳ chưa kết thúc (trừ khi bật open_period), làm lượt chạy
            dừng ngay, trước khi đọc tệp nào.
        force: Lập phiên bản mới kể cả khi dữ liệu không đổi.
        publish: Gửi báo cáo (thư mục outbox và e-mail Sở Nội vụ); tắt: chỉ lập báo cáo.
        workspace: Thư mục làm việc (chỉ cho CLI và kiểm thử; triển khai dùng biến môi
            trường CCHC_WORKSPACE của worker, không hiện trên giao diện).
        period_kind: Loại kỳ khi để trống "period": month (tháng), quarter (quý),
            half (6 tháng), nine_months (9 tháng), year (năm).
        wait_for_files: Chờ các tệp đang được ghi (tối đa CCHC_SETTLE_SECONDS sau lần sửa
            cuối của mỗi tệp) rồi mới thu nhận (lệnh cchc run); tắt (lịch chạy định kỳ): tệp
            đang ghi được ghi vào báo cáo là «tệp đang chờ thu nhận», không phải «chưa nộp».
        open_period: Cho phép lập bản tạm của kỳ đang mở (kỳ ghi ở "period" chưa kết thúc):
            bản tạm ghi rõ là tạm, không gửi Sở Nội vụ. Tắt: kỳ chưa kết thúc bị từ chối ngay.
    """
    settings = load_settings(workspace=Path(workspace) if workspace else None)
    # a bad or not yet closed period stops here, first
    reading = ReadOnlyResources(settings)
    target = report_period(period, period_kind, reading.rules, reading.now(),
                           open_period=open_period)
    provisional = is_provisional(target, reading.rules, reading.now())
    publish = publish and not provisional  # a provisional report is never handed over
    res = build_resources(settings, reading.clock)
    with period_slot(target, settings.workspace, timeout=settings.lock_timeout_seconds):
        inbox = collect_inbox(res, wait=wait_for_files)
        portal = collect_portal(res, wait=wait_for_files)
        waiting = [*inbox.waiting, *portal.waiting]
        portal_api = fetch_portal_figures(res, target)
        intake_steps.publish_collect_artifacts(inbox, portal, target.label)
        inputs, portal_file, rejections = report_steps.gather_inputs(res.reporting, target)
        counts = report_steps.dossier_counts(res.reporting, inputs)
        built = report_steps.build_report(res.reporting, inputs, portal_file, rejections,
                                          data_gaps=portal_api.gaps, dossier_counts=counts,
                                          waiting=waiting, provisional=provisional)
        outcome = report_steps.publish_version(res.reporting, built, force=force,
                                               run_id=str(flow_run.id))
        delivery = (delivery_steps.deliver_report(res.outbox, res.deliveries, res.mail, outcome,
                                                  res.clock, return_state=True)
                    if publish else None)
        report_steps.publish_report_artifacts(outcome)
        return {**outcome.summary(), "provisional": provisional, "collected": inbox.counts(),
                "waiting_files": waiting_summary(waiting),
                "portal_api": portal_api.summary(), **delivery_steps.delivery_summary(delivery)}
