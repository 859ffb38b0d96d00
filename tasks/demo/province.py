"""The bundled demo province: the real agency list and task register, with generated but
realistic submissions, a portal export and the matching dossier file for one period.

The scenario for the default period (2025-05, due 18/05/2025): most units submit on
time; two submit late; one file is invalid; one unit resubmits a corrected file; three
units do not submit. The portal export (variant A) puts online filing near the 43 % the
notice reports for 2024.
"""

from __future__ import annotations

import os
import random
import shutil
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl

from config.errors import CchcError
from config.registry import Registry
from tasks.demo.dossiers import write_dossier_file
from tasks.intake.template import TaskEntry, write_template
from tasks.model.periods import Period, parse_period
from tasks.model.submission import STATUS_DONE, STATUS_IN_PROGRESS, STATUS_NOT_STARTED

DEMO_PERIOD = "2025-05"
MARKER = ".cchc-demo"
MISSING = ("SNGV", "BAG", "UBND-AP")
LATE = ("SDTTG", "UBND-TT")
INVALID = "UBND-CM"
RESUBMITTED = "STP"
DISTRICTS_BEHIND = ("UBND-TS", "UBND-TB")  # still working on the March task IV.9.b


STAGING = ".demo-drops"  # files waiting for their simulated drop time (see tasks.demo.collector)


class DemoWorkspaceError(CchcError):
    """The demo refuses to overwrite a folder that is not a demo workspace."""


@dataclass(frozen=True)
class Drop:
    """One file the demo drops: when, and where (relative to the workspace, e.g.
    ``inbox/STP/…`` or ``portal/…``)."""

    when: datetime
    relative: str


@dataclass(frozen=True)
class DemoPlan:
    period: Period
    submitted: list[str]
    missing: list[str]
    late: list[str]
    invalid: str
    resubmitted: str
    drops: tuple[Drop, ...] = ()


@dataclass(frozen=True)
class _Roles:
    missing: tuple[str, ...]
    late: tuple[str, ...]
    invalid: str
    resubmitted: str


def _roles(units: list[str]) -> _Roles:
    """Who misses, is late, sends a wrong file: the named units where they exist in the
    period; after the districts closed (1/7/2025), communes of the new province stand in."""
    communes = [code for code in units if code.startswith("X")]
    missing = tuple(c for c in MISSING if c in units)
    late = tuple(c for c in LATE if c in units)
    invalid = INVALID
    if communes and INVALID not in units:
        missing += tuple(communes[5:7])
        late += tuple(communes[10:12])
        invalid = communes[15]
    return _Roles(missing, late, invalid, RESUBMITTED)


def prepare_workspace(workspace: Path) -> None:
    """An empty folder for the demo; an earlier demo workspace is replaced."""
    if workspace.exists() and any(workspace.iterdir()):
        if not (workspace / MARKER).exists():
            raise DemoWorkspaceError(
                f"{workspace} không trống và không phải thư mục demo; hãy chọn thư mục khác")
        shutil.rmtree(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / MARKER).write_text("Thư mục demo do `cchc demo` tạo ra.\n", encoding="utf-8")


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _touch(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def _entries(registry: Registry, code: str, rng: random.Random, period: Period
             ) -> list[TaskEntry]:
    entries = []
    end = period.end()
    for task in registry.tasks_led_by(code, period.window()):
        if task.deadline is not None and task.deadline <= end and code not in DISTRICTS_BEHIND:
            done_on = task.deadline - timedelta(days=rng.randint(0, 10))
            entries.append(TaskEntry(task.id, STATUS_DONE, 100, done_on,
                                     "Đã ban hành văn bản, gửi Sở Nội vụ tổng hợp"))
        elif rng.random() < 0.1:
            entries.append(TaskEntry(task.id, STATUS_NOT_STARTED, 0, None, None,
                                     "Chờ hướng dẫn của cơ quan cấp trên"))
        else:
            entries.append(TaskEntry(task.id, STATUS_IN_PROGRESS, rng.choice(range(30, 95, 5)),
                                     None, "Đang triển khai theo kế hoạch"))
    return entries


def _metrics(registry: Registry, rng: random.Random) -> dict[str, float]:
    return {m.code: float(rng.randint(0, 12)) for m in registry.metrics}


def write_submissions(workspace: Path, registry: Registry, period: Period,
                      rng: random.Random) -> DemoPlan:
    """Each unit's file under ``workspace/inbox/`` (``workspace`` may be the staging folder),
    its modification time the planned drop time, listed in the plan's drops."""
    start, end = period.window()
    units = [a.code for a in registry.agencies_valid(start, end)]
    roles = _roles(units)
    due = period.due_date(18)
    inbox = workspace / "inbox"
    submitted = []
    drops = []
    for n, code in enumerate(units):
        if code in roles.missing:
            continue
        path = inbox / code / f"bao-cao-cchc-{code}-{period.label}.xlsx"
        entries = _entries(registry, code, rng, period)
        if code == roles.invalid:
            entries = [TaskEntry("III.3", "Xong", 150), TaskEntry("IV.9.b", STATUS_DONE, 100)]
        metrics = _metrics(registry, rng)
        if code == roles.invalid and metrics:  # wrong even in a month with no task assigned
            metrics[next(iter(metrics))] = -5.0
        write_template(registry, code, period, path, entries, metrics)
        when = _at(due + timedelta(days=3), 9) if code in roles.late else _at(
            due - timedelta(days=(n % 9) + 1), 8 + n % 8)
        if code == roles.resubmitted:
            first = inbox / code / f"bao-cao-cchc-{code}-{period.label}-lan-1.xlsx"
            write_template(registry, code, period, first, entries[:2], {})
            _touch(first, when - timedelta(days=2))
            drops.append(Drop(when - timedelta(days=2), first.relative_to(workspace).as_posix()))
        _touch(path, when)
        drops.append(Drop(when, path.relative_to(workspace).as_posix()))
        if code != roles.invalid:
            submitted.append(code)
    return DemoPlan(period, submitted, list(roles.missing), list(roles.late), roles.invalid,
                    roles.resubmitted, tuple(drops))


# The 14 numbers of a variant A row: received total, online, in person, post, carried over;
# resolved total, on time, late; in progress total, within deadline, overdue; waiting,
# returned/withdrawn, satisfaction.
def _portal_row(rng: random.Random, scale: int) -> list[object]:
    new = rng.randint(scale // 2, scale)
    online = round(new * rng.uniform(0.36, 0.50))
    post = round(new * rng.uniform(0.0, 0.03))
    in_person = new - online - post
    carried = rng.randint(0, scale // 10)
    received = new + carried
    resolved = round(received * rng.uniform(0.80, 0.95))
    late = round(resolved * rng.uniform(0.0, 0.04))
    pending = received - resolved
    overdue = round(pending * rng.uniform(0.0, 0.1))
    return [received, online, in_person, post, carried, resolved, resolved - late, late,
            pending, pending - overdue, overdue, rng.randint(0, 5), rng.randint(0, 3),
            round(rng.uniform(0.90, 0.99), 4)]


LEAVES = ["Số mới tiếp nhận\ntrực tuyến", "Số mới tiếp nhận trực tiếp",
          "Số mới tiếp nhận qua BCCI", "Số kỳ trước\nchuyển qua", "Tổng số", "Trả đúng\nthời hạn",
          "Trả quá hạn", "Tổng số", "Chưa đến hạn", "Quá hạn"]


PortalRow = tuple[str, str, list[object]]  # unit name, unit code, the 14 numbers


def demo_portal_rows(registry: Registry, period: Period, rng: random.Random) -> list[PortalRow]:
    start, end = period.window()
    return [(unit.name, unit.code, _portal_row(rng, 3000 if unit.kind == "ubnd-huyen" else 400))
            for unit in registry.agencies_valid(start, end)]


def write_portal_export(path: Path, period: Period, rows: list[PortalRow]) -> Path:
    """A one-stop statistics export as the portal writes it (variant A, merged headers,
    a unit code column and a final «Tổng cộng» row)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Thống kê"
    ws["A1"] = "BIỂU THỐNG KÊ TÌNH HÌNH GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    ws["A2"] = f"Kỳ báo cáo: {period.first_month:02d}/{period.year}"

    def put(row: int, col: int, text: str, right: int = 0, down: int = 0) -> None:
        ws.cell(row=row, column=col, value=text)
        if right or down:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + down,
                           end_column=col + right)

    put(4, 1, "STT", down=2)
    put(4, 2, "Tên đơn vị", down=2)
    put(4, 3, "Mã đơn vị", down=2)
    put(4, 4, "Số hồ sơ nhận giải quyết", right=4)
    put(4, 9, "Kết quả giải quyết", right=5)
    put(4, 15, "Chờ bổ sung\n(lũy kế cả kì trước)", down=2)
    put(4, 16, "Trả lại/Rút HS", down=2)
    put(4, 17, "Tỷ lệ hài lòng", down=2)
    put(5, 4, "Tổng số", down=1)
    put(5, 5, "Trong đó", right=3)
    put(5, 9, "Số hồ sơ\nđã giải quyết", right=2)
    put(5, 12, "Số hồ sơ đang giải quyết", right=2)
    for i, text in enumerate(LEAVES):
        put(6, 5 + i, text)
    totals = [0] * 13
    for n, (name, code, values) in enumerate(rows, start=1):
        for i, value in enumerate(values[:13]):
            totals[i] += int(str(value))
        for c, value in enumerate([n, name, code, *values], start=1):
            ws.cell(row=6 + n, column=c, value=value)
    for c, value in enumerate([None, "Tổng cộng", None, *totals], start=1):
        ws.cell(row=7 + len(rows), column=c, value=value)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def build_demo_workspace(workspace: Path, registry: Registry, period: str = DEMO_PERIOD,
                         seed: int = 2025, *, staged: bool = False, fresh: bool = True
                         ) -> DemoPlan:
    """Lay out a demo workspace with submissions and a portal export for ``period``.

    ``staged``: the files wait in ``.demo-drops/`` for :mod:`tasks.demo.collector` to drop
    them at their planned times; otherwise they are in ``inbox/`` and ``portal/`` already.
    ``fresh``: start from an empty workspace (False adds a month to an existing demo).
    """
    if fresh:
        prepare_workspace(workspace)
    root = workspace / STAGING if staged else workspace
    rng = random.Random(seed)
    parsed = parse_period(period)
    plan = write_submissions(root, registry, parsed, rng)
    rows = demo_portal_rows(registry, parsed, rng)
    export = write_portal_export(root / "portal" / f"thong-ke-{parsed.label}.xlsx",
                                 parsed, rows)
    dossiers = write_dossier_file(root / "portal" / f"ho-so-{parsed.label}.csv",
                                  parsed.label, parsed.window(), rows,
                                  random.Random(seed + 766))
    # dropped in the past like the submissions: not a file still being written
    dropped = _at(parsed.end(), 9)
    _touch(export, dropped)
    _touch(dossiers, dropped)
    return replace(plan, drops=(*plan.drops,
                                Drop(dropped, export.relative_to(root).as_posix()),
                                Drop(dropped, dossiers.relative_to(root).as_posix())))
