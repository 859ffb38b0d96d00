"""The portal API's unit records turned into the project's per-unit figures, and stored.

:func:`read_portal_api_records` is a plain function: it checks every record (a unit code
from the registry, every count present, a non-negative integer, the received parts adding
up to the total, no unit twice) and returns every problem found
(:class:`tasks.model.problems.Checked`), each located by page file, record number and
field, and naming the unit. The figures come out as a :class:`PortalExport` of variant
``"api"``, stored like an export file.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from config.portal_api import PortalApiFields
from config.registry import Agency, Registry
from tasks.model.periods import Period
from tasks.model.portal import PortalExport, PortalUnitStats
from tasks.model.ports import PortalApiError, PortalStore
from tasks.model.problems import Checked, Problem
from tasks.model.records import FileMeta, PortalSnapshot

API_VARIANT: Final = "api"
INTAKE_SOURCE = "portal-api"

# the counts every record must carry, as (field of PortalApiFields, Vietnamese wording)
_COUNTS: tuple[tuple[str, str], ...] = (
    ("total", "tổng số hồ sơ nhận giải quyết"),
    ("received_online", "số mới tiếp nhận trực tuyến"),
    ("received_in_person", "số mới tiếp nhận trực tiếp"),
    ("received_post", "số mới tiếp nhận qua BCCI"),
    ("carried_over", "số kỳ trước chuyển qua"),
    ("resolved_on_time", "số đã giải quyết đúng hạn"),
    ("resolved_late", "số đã giải quyết quá hạn"),
    ("in_progress_within", "số đang giải quyết trong hạn"),
    ("in_progress_overdue", "số đang giải quyết quá hạn"),
    ("waiting_supplement", "số chờ bổ sung"),
    ("returned", "số trả lại/rút hồ sơ"),
)
_RECEIVED_PARTS = ("received_online", "received_in_person", "received_post", "carried_over")

Page = tuple[str, Sequence[object]]  # (saved page file name, the page's records)


@dataclass(frozen=True)
class PortalApiOutcome:
    """What asking the portal gave this run: stored figures, or why there are none."""

    configured: bool
    stored: bool = False  # new figures were stored for the period
    units: int = 0
    snapshot: str | None = None  # folder of the saved answers
    gaps: tuple[str, ...] = ()  # Vietnamese lines for the report's banner
    problems: tuple[Problem, ...] = field(default=())

    def summary(self) -> dict[str, object] | None:
        if not self.configured:
            return None
        return {"stored": self.stored, "units": self.units, "snapshot": self.snapshot,
                "gaps": list(self.gaps)}


def _count(value: object) -> int | str:
    """A number of dossiers, or the Vietnamese reason it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"phải là số nguyên, không phải {value!r}"
    if isinstance(value, float) and not value.is_integer():
        return f"phải là số nguyên, không phải {value:g}"
    if value < 0:
        return f"không được âm ({value:g})"
    return int(value)


def _unit(record: Mapping[str, object], names: PortalApiFields, registry: Registry,
          at: tuple[str, int]) -> tuple[Agency | None, list[Problem]]:
    """The record's unit and the problems of its code and name. A code whose name
    disagrees still gives the unit (a later record of it is a duplicate), so both come
    back, not a :class:`Checked`."""
    code = record.get(names.code)
    if not isinstance(code, str) or not code.strip():
        return None, [Problem(f"Thiếu mã đơn vị (trường «{names.code}»)", sheet=at[0],
                              row=at[1], column=names.code)]
    agency = registry.agency(code.strip()) or registry.find_agency(code)
    if agency is None:
        return None, [Problem(f"Mã đơn vị «{code}» không có trong danh mục đơn vị",
                              sheet=at[0], row=at[1], column=names.code)]
    name = record.get(names.name)
    by_name = registry.find_agency(name) if isinstance(name, str) and name.strip() else None
    if by_name is not None and by_name.code != agency.code:
        return agency, [Problem(f"Mã {agency.code} là của «{agency.name}» nhưng tên ghi "
                                f"«{name}»", sheet=at[0], row=at[1], column=names.name)]
    return agency, []


def read_portal_api_records(pages: Sequence[Page], names: PortalApiFields, registry: Registry,
                            period: Period) -> Checked[PortalExport]:
    """Every page's records as per-unit figures, or every problem found in them."""
    problems: list[Problem] = []
    units: list[PortalUnitStats] = []
    seen: dict[str, str] = {}
    position = 0
    for page_name, records in pages:
        for index, record in enumerate(records, start=1):
            position += 1
            at = (page_name, index)
            if not isinstance(record, Mapping):
                problems.append(Problem("Bản ghi không phải đối tượng JSON", sheet=page_name,
                                        row=index))
                continue
            agency, unit_problems = _unit(record, names, registry, at)
            problems += unit_problems
            who = f"Đơn vị {agency.code}: " if agency else ""
            values: dict[str, int] = {}
            for key, wording in _COUNTS:
                name = getattr(names, key)
                if name not in record:
                    problems.append(Problem(f"{who}thiếu trường «{name}» ({wording})",
                                            sheet=page_name, row=index, column=name))
                    continue
                value = _count(record[name])
                if isinstance(value, str):
                    problems.append(Problem(f"{who}{wording.capitalize()} {value}",
                                            sheet=page_name, row=index, column=name))
                else:
                    values[key] = value
            if all(p in values for p in ("total", *_RECEIVED_PARTS)):
                added = sum(values[p] for p in _RECEIVED_PARTS)
                if added != values["total"]:
                    terms = " + ".join(f"«{getattr(names, p)}» {values[p]}"
                                       for p in _RECEIVED_PARTS)
                    problems.append(Problem(
                        f"{who}tổng số {values['total']} khác tổng các thành phần: "
                        f"{terms} = {added}", sheet=page_name, row=index, column=names.total))
            if agency is None:
                continue
            if agency.code in seen:
                problems.append(Problem(f"Đơn vị {agency.code} ({agency.name}) đã có ở "
                                        f"{seen[agency.code]}", sheet=page_name, row=index,
                                        column=names.code))
                continue
            seen[agency.code] = f"trang «{page_name}», bản ghi {index}"
            if len(values) == len(_COUNTS):
                units.append(_stats(agency.code, position, values))
    if position == 0:
        problems.append(Problem("Cổng không trả về bản ghi nào của đơn vị nào cho kỳ này"))
    if problems:
        return Checked.failed(problems)
    return Checked.passed(PortalExport(period=period, variant=API_VARIANT, units=tuple(units)))


def _stats(unit: str, position: int, v: dict[str, int]) -> PortalUnitStats:
    return PortalUnitStats(
        unit=unit, source_row=position, carried_over=v["carried_over"],
        received_online=v["received_online"], received_in_person=v["received_in_person"],
        received_post=v["received_post"],
        resolved_total=v["resolved_on_time"] + v["resolved_late"],
        resolved_on_time=v["resolved_on_time"], resolved_late=v["resolved_late"],
        in_progress_total=v["in_progress_within"] + v["in_progress_overdue"],
        in_progress_overdue=v["in_progress_overdue"],
    )


def store_portal_api(db: PortalStore, export: PortalExport, *, content_hash: str, folder: str,
                     source: str, fetched_at: datetime, now: datetime) -> bool:
    """Store the figures as the period's portal data; False when this exact answer was
    already stored (a rerun that asked the portal again and got the same answer)."""
    meta = FileMeta(source=INTAKE_SOURCE, agency_folder="", file_name=source,
                    origin_path=folder, content_hash=content_hash, arrived_at=fetched_at,
                    collected_at=now)
    if db.known_file(content_hash) is not None:
        _LOG.info("kỳ %s: cổng trả về đúng số liệu đã lưu, bỏ qua", export.period.label)
        db.log_intake(meta, "duplicate", "cổng trả về đúng số liệu đã lưu")
        return False
    superseded = db.add_portal_file(export, meta, folder)[1]
    _LOG.info("kỳ %s: đã lưu số liệu API cổng (%d đơn vị), thay thế %d bộ trước",
              export.period.label, len(export.units), len(superseded))
    db.log_intake(meta, "accepted",
                  f"thay thế {len(superseded)} bộ số liệu trước" if superseded else None)
    return True


_SHOWN_PROBLEMS = 5
_LOG = logging.getLogger(__name__)


def record_portal_snapshot(db: PortalStore, registry: Registry, snapshot: PortalSnapshot,
                           names: PortalApiFields, period: Period,
                           now: datetime) -> PortalApiOutcome:
    """Check a fetched snapshot and store it as the period's portal figures; when its
    records are wrong, store nothing and say why (the run goes on without them)."""
    pages = [(p.file.name, p.records) for p in snapshot.pages]
    checked = read_portal_api_records(pages, names, registry, period)
    export = checked.value
    if export is None:
        problems = checked.problems
        lines = [p.line_vi() for p in problems[:_SHOWN_PROBLEMS]]
        more = len(problems) - _SHOWN_PROBLEMS
        gap = (f"Số liệu cổng dịch vụ công trả về có {len(problems)} lỗi nên không được "
               f"dùng (bản lưu: {snapshot.folder}): " + "; ".join(lines)
               + (f" … (+{more} lỗi)" if more > 0 else ""))
        return PortalApiOutcome(True, snapshot=str(snapshot.folder), gaps=(gap,),
                                problems=problems)
    stored = store_portal_api(db, export, content_hash=snapshot.content_hash,
                              folder=str(snapshot.folder), source=snapshot.source,
                              fetched_at=snapshot.fetched_at, now=now)
    return PortalApiOutcome(True, stored=stored, units=len(export.units),
                            snapshot=str(snapshot.folder))


def portal_fetch_failed(error: BaseException) -> PortalApiOutcome:
    """The outcome of a fetch that failed for good (after every retry)."""
    reason = (str(error) if isinstance(error, PortalApiError)
              else f"quá thời gian hoặc lỗi khi lấy ({type(error).__name__})")
    return PortalApiOutcome(True, gaps=(
        f"Không lấy được số liệu từ cổng dịch vụ công: {reason}",))


def reused_after_failure(failed: PortalApiOutcome, reused: PortalApiOutcome,
                         fetched_at: datetime) -> PortalApiOutcome:
    """The outcome of falling back on the newest saved answer when the portal failed."""
    note = ("Dùng bản số liệu cổng đã lưu lúc "
            f"{fetched_at:%d/%m/%Y %H:%M} (UTC) thay cho số liệu mới")
    return PortalApiOutcome(True, stored=reused.stored, units=reused.units,
                            snapshot=reused.snapshot,
                            gaps=(*failed.gaps, note, *reused.gaps), problems=reused.problems)
