"""Assembling a period's consolidated report and writing its versioned folder.

``reports/<period>/v<N>/`` holds ``indicators.json``, ``manifest.json`` and the workbook
``bao-cao-cchc-<period>.xlsx``. A report's fingerprint is a hash of everything it shows
and every input it used, so a rerun with the same inputs is recognised.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from config.index766 import Index766Config
from config.registry import Registry
from tasks.indicators.compute import (
    PeriodInputs,
    compute_indicators,
    expected_units,
    left_out_of_province,
    registers_note,
    series_break_notes,
    submission_states,
    task_progress,
)
from tasks.indicators.rollup import gather_rollup, portal_files_used
from tasks.model.crash_points import crash_point
from tasks.model.periods import Period, parse_period
from tasks.model.ports import PeriodStore, ReportStore
from tasks.model.records import (
    ReportVersion,
    StoredPortalFile,
    StoredRejection,
    WaitingFile,
    Writer,
)
from tasks.model.report import (
    PORTAL_MISSING_VI,
    IndicatorValue,
    MissingUnitRow,
    RejectedFileRow,
    ReportContent,
)
from tasks.model.rules import ReportingRules
from tasks.model.vocabulary import STATE_MISSING, STATE_WAITING
from tasks.portal.dossier_counts import DossierCounts
from tasks.report.checks import data_issues
from tasks.report.dossier_figures import DossierFigures, dossier_figures
from tasks.report.letterhead import Letterhead


@dataclass(frozen=True)
class BuiltReport:
    content: ReportContent
    inputs: list[dict[str, Any]]
    fingerprint: str


def gather_inputs(db: PeriodStore, period: Period, *, rules: ReportingRules
                  ) -> tuple[PeriodInputs, StoredPortalFile | None, list[StoredRejection]]:
    """Read what the database holds for ``period``."""
    inputs: PeriodInputs
    if period.kind != "month":  # a roll-up consolidates its months (tasks/indicators/rollup)
        inputs, portal_file = gather_rollup(db, period, rules=rules)
    else:
        portal = db.current_portal(period.label)
        portal_file = portal[0] if portal else None
        inputs = PeriodInputs(
            period=period, rules=rules,
            submissions=db.current_submissions(period.label),
            task_reports=db.task_reports_until(period.months()[-1].label),
            metric_reports=db.metric_reports(period.label),
            portal=portal[1] if portal else None,
            first_arrivals=db.first_arrivals(period.label),
            dossier_file=db.current_dossier_file(period.label),
        )
    start, _ = rules.window(period)
    since = datetime.combine(start, datetime.min.time(), inputs.due_at.tzinfo)
    rejections = db.rejections_for(period.label, since, inputs.due_at)
    _LOG.info("kỳ %s: %d báo cáo đơn vị hiện hành, số liệu cổng: %s, %d tệp bị từ chối",
              period.label, len(inputs.submissions),
              portal_file.file_name if portal_file else "không có", len(rejections))
    return inputs, portal_file, rejections


def build_report(registry: Registry, inputs: PeriodInputs, portal: StoredPortalFile | None,
                 rejections: list[StoredRejection], *,
                 data_gaps: Sequence[str] = (),
                 index766: Index766Config | None = None,
                 dossier_counts: DossierCounts | None = None,
                 waiting: Sequence[WaitingFile] = (),
                 provisional: bool = False) -> BuiltReport:
    """Compute the report's content (version and time are set when it is written).

    A period without portal figures is marked ``portal_missing`` and its ``data_gaps``
    say so first; ``data_gaps`` adds what this run could not get (a failed portal fetch).
    With a current dossier file and ``index766``, the 766 indicators, points and the
    disagreements with the aggregated statistics are added (:mod:`dossier_figures`), from
    ``dossier_counts`` when given (the flow's cached counts), else from the file.
    ``waiting``: files still being written in the drop folders, shown with their units
    (such a unit is «tệp đang chờ thu nhận», not «chưa nộp»).
    ``provisional``: the period has not closed (asked for with ``open_period``): a banner
    says so first, and the fingerprint differs from the closed period's report, so the
    run after the close makes its own version.
    """
    tasks = task_progress(registry, inputs)
    dossiers = (dossier_figures(registry, inputs, index766, dossier_counts)
                if index766 is not None
                else DossierFigures())
    indicators = compute_indicators(registry, inputs, tasks) + dossiers.indicators
    names = registry.indicator_names()
    for code, name in dossiers.names.items():
        names.setdefault(code, name)
    units = {a.code: a.name for a in expected_units(registry, inputs)}
    for value in indicators:
        agency = registry.agency(value.unit)
        if agency is not None and value.unit not in units:
            units[value.unit] = agency.name
    content = ReportContent(
        period=inputs.period.label, period_label_vi=inputs.period.label_vi, version=0,
        generated_at=datetime.fromtimestamp(0).astimezone(), window=inputs.window,
        indicators=indicators, indicator_names=names,
        indicator_kinds=registry.indicator_kinds(), unit_names=units,
        tasks=tasks, missing=submission_states(registry, inputs, waiting),
        rejected=[RejectedFileRow(r.agency_folder or r.source, r.file_name, r.arrived_at,
                                  "; ".join(p.line_vi() for p in r.problems))
                  for r in rejections],
        left_out=left_out_of_province(registry, inputs, tasks),
        notes=[*registers_note(registry, inputs), *series_break_notes(registry, inputs)],
        portal_missing=inputs.portal is None,
        data_gaps=([provisional_note(inputs.period, inputs.window[1])] if provisional
                   else []) + ([PORTAL_MISSING_VI] if inputs.portal is None else [])
        + list(data_gaps) + dossiers.gaps,
        data_issues=data_issues(inputs, portal, indicators),
        index766_points=dossiers.points, source_disagreements=dossiers.disagreements,
    )
    used: list[dict[str, Any]] = [
        {"kind": "submission", "path": s.archive_path, "content_hash": s.content_hash,
         "agency": s.agency_code, "period": s.period, "file_name": s.file_name,
         "arrived_at": s.arrived_at.isoformat()} for s in inputs.submissions]
    used.extend({"kind": "portal", "path": p.archive_path, "content_hash": p.content_hash,
                 "agency": None, "period": p.period, "file_name": p.file_name}
                for p in portal_files_used(inputs, portal))
    if dossiers.used is not None:
        used.append(dossiers.used)
    shown: dict[str, Any] = {
        "indicators": [asdict(v) for v in content.indicators],
        "tasks": [asdict(t) for t in content.tasks],
        "missing": [_shown_state(m) for m in content.missing],
        "rejected": [asdict(r) for r in content.rejected],
        "inputs": used,
    }
    if provisional:  # only then, so that earlier reports keep their fingerprint
        shown["provisional"] = True
    if content.index766_points or content.source_disagreements:
        shown["index766_points"] = [asdict(p) for p in content.index766_points]
        shown["source_disagreements"] = [asdict(d) for d in content.source_disagreements]
    fingerprint = hashlib.sha256(_canonical(shown)).hexdigest()
    missing = [m.unit for m in content.missing if m.state == STATE_MISSING]
    _LOG.info("kỳ %s: %d chỉ số, %d đơn vị chưa nộp%s", content.period, len(indicators),
              len(missing), f" ({', '.join(missing)})" if missing else "")
    _LOG.debug("kỳ %s: dấu vân tay dữ liệu %s", content.period, fingerprint)
    return BuiltReport(content, used, fingerprint)


def provisional_note(period: Period, end: date) -> str:
    """The banner of a report made before its period closed (Vietnamese)."""
    return (f"BẢN TẠM: kỳ {period.label_vi} chưa kết thúc (số liệu tính đến hết "
            f"{end:%d/%m/%Y}); số liệu còn thay đổi, bản này không gửi Sở Nội vụ.")


def _shown_state(row: MissingUnitRow) -> dict[str, Any]:
    """A unit's state as the fingerprint sees it: without the waiting files' key when there
    are none, so that reports made before files could wait keep their fingerprint."""
    shown = asdict(row)
    if not row.waiting_files:
        del shown["waiting_files"]
    return shown


def _default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _canonical(data: object) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=_default).encode()


def indicators_document(content: ReportContent) -> dict[str, Any]:
    return {
        "period": content.period,
        "version": content.version,
        "generated_at": content.generated_at.isoformat(),
        "portal_missing": content.portal_missing,
        "data_gaps": list(content.data_gaps),
        "indicators": [{"unit": v.unit, "indicator": v.indicator, "numerator": v.numerator,
                        "denominator": v.denominator, "value": v.value, "target": v.target,
                        "status": v.status} for v in content.indicators],
        "left_out": [{"indicator": indicator, "units": units}
                     for indicator, units in content.left_out.items()],
        "index766_points": [asdict(p) for p in content.index766_points],
        "source_disagreements": [
            {**asdict(d), "unit_name": content.unit_names.get(d.unit, d.unit),
             "text": d.line_vi(content.unit_names.get(d.unit, d.unit))}
            for d in content.source_disagreements],
        "notes": content.all_notes(),
        "data_issues": list(content.data_issues),
        "trend": [asdict(row) for row in content.trend],
    }


def workbook_name(period: str) -> str:
    return f"bao-cao-cchc-{period}.xlsx"


def write_report(built: BuiltReport, folder: Path, *, version: int, generated_at: datetime,
                 run_id: str | None, timezone: str, letterhead: Letterhead | None = None,
                 previous_period: Sequence[IndicatorValue] = ()) -> Path:
    """Write the report files into ``folder`` (staged, then moved into place).

    Beside the workbook: the Word report, the HTML report and the chart PNGs
    (:mod:`tasks.report`); ``previous_period`` gives the change from the period before.
    """
    # the writers (openpyxl, docxtpl, matplotlib) are imported only when a version is written
    from tasks.report.documents import write_documents
    from tasks.report.workbook import write_report_workbook

    content = replace(built.content, version=version, generated_at=generated_at)
    staging = folder.with_name(folder.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    _write_json(staging / "indicators.json", indicators_document(content))
    _write_json(staging / "manifest.json", {
        "period": content.period, "version": version, "run_id": run_id,
        "generated_at": generated_at.isoformat(), "fingerprint": built.fingerprint,
        "inputs": built.inputs,
        "portal_missing": content.portal_missing,
        "data_gaps": list(content.data_gaps),
        "rejected": [asdict(r) for r in content.rejected],
    })
    crash_point("report.writing")
    write_report_workbook(content, staging / workbook_name(content.period), timezone=timezone)
    write_documents(content, staging, letterhead=letterhead, previous=previous_period,
                    timezone=timezone)
    if folder.exists():
        shutil.rmtree(folder)
    staging.replace(folder)
    return folder


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n",
                    encoding="utf-8")


_LOG = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=10)
WAIT_NOTE_EVERY = 60.0  # seconds between two lines saying what a run still waits for


def this_writer() -> Writer:
    """This process, as recorded with a version it claims or takes over."""
    return Writer(socket.gethostname(), os.getpid())


def _alive_here(writer: Writer) -> bool | None:
    """Whether ``writer``'s process still runs; ``None``: it runs on another host (this
    host cannot tell)."""
    if writer.host != socket.gethostname():
        return None
    try:
        os.kill(writer.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user: alive
        return True
    return True


def _await_writer(db: ReportStore, version: ReportVersion, *, now: datetime, timezone: str,
                  poll: float = 0.2) -> ReportVersion | None:
    """Wait for the run that claimed (or took over) ``version`` to finish writing it.

    ``None``: its folder is written. Otherwise the version as last read, to be taken over
    (:meth:`ReportStore.take_over_report_version`) at once when nobody writes it (its
    writer gave up) or its writer's process is gone from this host, and after
    :data:`STALE_CLAIM` when the writer runs on another host (or still runs here but never
    finishes). Each wait is said in the log, with whom it waits for and until when.
    """
    folder = Path(version.path)
    label = f"kỳ {version.period}: v{version.version}"
    noted = float("-inf")
    current: ReportVersion | None = version
    while current is not None:
        if (folder / "indicators.json").exists():
            return None
        writer = current.writer
        if writer is None:
            _LOG.warning("%s chưa được ghi và không lượt chạy nào đang ghi (lượt nhận bản này "
                         "đã dừng vì lỗi); lượt này ghi %s", label, folder)
            return current
        alive = _alive_here(writer)
        if alive is False:
            _LOG.warning("%s: lượt chạy đã nhận bản này (%s) không còn chạy, bản chưa ghi "
                         "xong; lượt này ghi thay ngay", label, writer)
            return current
        deadline = (current.writer_since or current.created_at) + STALE_CLAIM
        if max(now, datetime.now(UTC)) >= deadline:
            _LOG.warning("%s: lượt chạy đã nhận bản này (%s) chưa ghi xong sau %d phút; lượt "
                         "này ghi thay", label, writer, STALE_CLAIM.seconds // 60)
            return current
        if time.monotonic() - noted >= WAIT_NOTE_EVERY:
            noted = time.monotonic()
            where = ("cùng máy này, tiến trình vẫn đang chạy" if alive
                     else "máy khác, không kiểm tra được tiến trình còn chạy hay không")
            _LOG.warning("%s đang được một lượt chạy khác ghi (%s; %s); đang chờ lượt đó ghi "
                         "xong, chậm nhất đến %s thì lượt này tự ghi", label, writer, where,
                         deadline.astimezone(ZoneInfo(timezone)).strftime("%H:%M:%S %d/%m/%Y"))
        time.sleep(poll)
        current = db.report_version(version.period, version.version)
    return None  # the version row is gone: nothing to write


WRITE_NEW = "new"  # this run claimed the version and wrote it
WRITE_FIRST = "first"  # claimed by a run that stopped before writing it: this run wrote it
WRITE_AGAIN = "again"  # written before, its folder was missing: this run wrote it again
WRITE_KEPT = "kept"  # unchanged inputs: the version already written is kept


def write_state_vi(write: str, version: int) -> str:
    """What a run did with the version, as the summary and the command print it."""
    return {
        WRITE_NEW: "bản mới",
        WRITE_FIRST: f"ghi lần đầu: lượt chạy trước đã nhận v{version} nhưng dừng trước khi "
                     "ghi xong",
        WRITE_AGAIN: "dữ liệu không đổi; thư mục của bản này bị thiếu nên đã ghi lại",
    }.get(write, "dữ liệu không đổi, giữ bản đã có")


@dataclass(frozen=True)
class ReportOutcome:
    period: str
    version: int
    created: bool  # False: the newest version already had these inputs
    folder: Path
    content: ReportContent
    previous_version: list[IndicatorValue]  # the version before this one, same period
    previous_period: list[IndicatorValue]  # the newest version of the period before
    write: str = ""  # WRITE_NEW, WRITE_FIRST, WRITE_AGAIN or WRITE_KEPT; "": from created

    @property
    def write_kind(self) -> str:
        return self.write or (WRITE_NEW if self.created else WRITE_KEPT)

    @property
    def written_now(self) -> bool:
        """This run wrote the version's folder for the first time (a new version, or one
        claimed by a run that stopped before writing it)."""
        return self.write_kind in (WRITE_NEW, WRITE_FIRST)

    @property
    def state_vi(self) -> str:
        return write_state_vi(self.write_kind, self.version)

    def summary(self) -> dict[str, object]:
        return {"period": self.period, "version": self.version, "created": self.created,
                "write": self.write_kind, "state": self.state_vi,
                "folder": str(self.folder), "missing_units": sum(
                    1 for m in self.content.missing if m.state == STATE_MISSING),
                "waiting_units": sum(
                    1 for m in self.content.missing if m.state == STATE_WAITING),
                "rejected_files": len(self.content.rejected),
                "portal_missing": self.content.portal_missing,
                "data_gaps": list(self.content.data_gaps)}


def publish_version(db: ReportStore, built: BuiltReport, reports_dir: Path, *, force: bool,
                    run_id: str | None, now: datetime, timezone: str,
                    letterhead: Letterhead | None = None) -> ReportOutcome:
    """Claim a version for the report (or recognise an unchanged rerun) and write it.

    Two runs racing for the same period cannot both write a version: the database's
    unique (period, version) claim decides; the loser sees the winner's fingerprint.
    """
    period = built.content.period
    me = this_writer()
    claim = db.claim_report_version(period, built.fingerprint, run_id,
                                    reports_dir=reports_dir, force=force, writer=me)
    version = claim.version
    folder = Path(version.path)
    _LOG.info("kỳ %s: %s v%d (%s)", period, "phiên bản mới" if claim.created
              else "dữ liệu không đổi, giữ", version.version, folder)
    earlier_period = db.latest_report_version(parse_period(period).previous().label)
    earlier_values = db.indicator_values(earlier_period.id) if earlier_period else []
    write = WRITE_NEW if claim.created else _take_over(db, version, me, now=now,
                                                       timezone=timezone)
    if write != WRITE_KEPT:
        crash_point("report.claimed")
        try:
            db.save_indicator_values(version.id, built.content.indicators)
            write_report(built, folder, version=version.version, generated_at=now,
                         run_id=run_id, timezone=timezone, letterhead=letterhead,
                         previous_period=earlier_values)
        except BaseException:
            # nobody writes it now: the next run takes it over at once, without waiting
            db.finish_report_version(version.id, me, written=False)
            raise
        db.finish_report_version(version.id, me, written=True)
        if write != WRITE_NEW:
            _LOG.info("kỳ %s: %s v%d", period, write_state_vi(write, version.version),
                      version.version)
    previous = db.report_version(period, version.version - 1)
    return ReportOutcome(
        period=period, version=version.version, created=claim.created, folder=folder,
        content=replace(built.content, version=version.version, generated_at=version.created_at),
        previous_version=db.indicator_values(previous.id) if previous else [],
        previous_period=earlier_values, write=write,
    )


def _take_over(db: ReportStore, version: ReportVersion, me: Writer, *, now: datetime,
               timezone: str) -> str:
    """An unchanged rerun: keep the version once written (:data:`WRITE_KEPT`), else become
    its writer (:func:`_await_writer` says when) and say whether it is a first write."""
    while True:
        current = _await_writer(db, version, now=now, timezone=timezone)
        if current is None:
            return WRITE_KEPT
        if db.take_over_report_version(current, me):
            return WRITE_FIRST if current.written_at is None else WRITE_AGAIN
        version = db.report_version(version.period, version.version) or version
