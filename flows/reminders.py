"""Flow: remind the units that have not reported for the open period (once per round)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from pydantic.json_schema import SkipJsonSchema

from config.settings import load_settings
from flows.resources import build_resources
from tasks.delivery import steps as delivery_steps


@flow(name="reminders", log_prints=True)
def reminders(workspace: SkipJsonSchema[str | None] = None) -> dict[str, object]:
    """Mail each unit that must report for the open month (the one whose due date is next)
    and has not, listing its tasks not yet done. A rerun the same day sends nothing twice;
    units without an e-mail address (or every unit, without SMTP) are listed in the result.

    Args:
        workspace: Thư mục làm việc (chỉ cho CLI và kiểm thử; triển khai dùng biến môi
            trường CCHC_WORKSPACE của worker, không hiện trên giao diện).
    """
    res = build_resources(load_settings(workspace=Path(workspace) if workspace else None))
    today = res.today()
    plan = delivery_steps.plan_reminders(res.registry, res.db, res.rules, today)
    mail = res.agency_mail
    result = delivery_steps.send_reminders(plan, res.deliveries, mail.smtp if mail else None,
                                           mail.sender if mail else "", today, res.clock)
    if result.no_email:
        get_run_logger().warning("Chưa gửi được thư nhắc (không có địa chỉ thư điện tử hoặc "
                                 "chưa cấu hình SMTP): %s", "; ".join(result.no_email))
    return {"period": plan.period.label, "due": plan.due.isoformat(), **result.summary()}
