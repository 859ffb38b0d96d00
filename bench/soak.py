"""Soak: random kill-and-rerun cycles of the monthly pipeline, checking the invariant.

Each cycle copies a small hand-made workspace (:mod:`tests.scenario`: two agency files
and a portal export), then runs collection, the report and its delivery by e-mail (the
plain domain functions, no Prefect) in a forked child with ``CCHC_KILL_AT`` set to a
random kill point (:mod:`tasks.model.crash_points`), or none. The child is killed with a
real ``SIGKILL`` there; the pipeline is then run again without the kill point, and the
result must equal an uninterrupted run's:

- the same ``indicators.json`` values, in version 1 (no second version, no half-written
  folder taken as a version);
- every input stored exactly once (database rows, archive files), nothing left in the
  inbox and no open claim;
- exactly one e-mail received by the SMTP server (aiosmtpd on 127.0.0.1).

    PYTHONPATH=. /work/main/.venv/bin/python bench/soak.py --cycles 200
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from config.registry import load_registry
from config.settings import DEFAULT_TIMEZONE
from connectors.database import Database
from connectors.db_schema import IntakeClaimRow, PortalFileRow, ReportVersionRow, SubmissionRow
from connectors.deliveries import DeliveryLog
from connectors.drop_folder import DropFolder
from connectors.mail import SmtpSender
from connectors.outbox import Outbox
from tasks.delivery.deliver import MailChannel, deliver_report
from tasks.intake.collect import repair
from tasks.model.clock import system_clock
from tasks.model.crash_points import KILL_AT_ENV, KILL_POINTS
from tasks.model.rules import ReportingRules
from tasks.report.build import build_report
from tasks.report.period_inputs import gather_inputs
from tasks.report.publish import publish_version
from tests import scenario
from tests.builders import take_file

TZ = DEFAULT_TIMEZONE
SENDER = "cchc@angiang.gov.vn"
RECIPIENT = "vanthu@snv.angiang.gov.vn"
NOW = datetime(2025, 6, 1, 2, tzinfo=UTC)
INPUTS = 3  # two agency files and one portal export


@dataclass
class CountingHandler:
    """An SMTP server's handler that keeps the Message-ID of every message received."""

    received: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(message, EmailMessage)
        self.received.append(str(message.get("Subject", "")))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def prepare(base: Path) -> tuple[Path, Path]:
    """The registry folder and a pristine workspace to copy for each run."""
    registry = scenario.write_registry(base / "registry")
    pristine = base / "pristine"
    pristine.mkdir()
    scenario.build_workspace(pristine, registry)
    return base / "registry", pristine


def run_pipeline(workspace: Path, db_url: str, registry_dir: Path, smtp_port: int) -> None:
    """Collection (repair first), the report and its delivery: what one monthly run does.

    Each file is first seen at its drop time (its stamped modification time), as in the
    scenario, so arrival times are the same on every run."""
    registry = load_registry(registry_dir)
    db = Database.from_url(db_url)
    db.migrate()
    try:
        for folder in (DropFolder.agency_inbox(workspace), DropFolder.portal_exports(workspace)):
            folder.ensure()
            repair(folder, db, now=NOW)
            for item in folder.pending():
                take_file(item, folder, db, registry, now=NOW,
                          seen_at=min(item.modified_at, NOW))
        inputs, portal, rejections = gather_inputs(db, scenario.PERIOD, rules=ReportingRules())
        built = build_report(registry, inputs, portal, rejections)
        outcome = publish_version(db, built, workspace / "reports", force=False,
                                  run_id="soak", now=NOW, timezone=TZ)
        mail = MailChannel(SmtpSender("127.0.0.1", smtp_port, starttls=False, timeout=5),
                           SENDER, (RECIPIENT,))
        deliver_report(outcome, Outbox(workspace), DeliveryLog(db), mail, system_clock)
    finally:
        db.dispose()


def _child(workspace: Path, db_url: str, registry_dir: Path, smtp_port: int,
           kill_at: str | None) -> None:
    if kill_at:
        os.environ[KILL_AT_ENV] = kill_at
    else:
        os.environ.pop(KILL_AT_ENV, None)
    run_pipeline(workspace, db_url, registry_dir, smtp_port)


def run_in_child(workspace: Path, db_url: str, registry_dir: Path, smtp_port: int,
                 kill_at: str | None) -> int:
    """Run the pipeline in a forked process; its exit code (-9: killed by SIGKILL)."""
    process = multiprocessing.get_context("fork").Process(
        target=_child, args=(workspace, db_url, registry_dir, smtp_port, kill_at))
    process.start()
    process.join(timeout=120)
    if process.exitcode is None:
        process.kill()
        process.join()
        raise RuntimeError("the pipeline did not finish within 2 minutes")
    return process.exitcode


def indicator_values(workspace: Path, version: int = 1) -> list[dict[str, Any]]:
    document = json.loads((workspace / "reports" / scenario.PERIOD.label / f"v{version}"
                           / "indicators.json").read_text(encoding="utf-8"))
    values: list[dict[str, Any]] = document["indicators"]
    return values


def _count(db: Database, model: type) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def invariant_problems(workspace: Path, db_url: str, expected: list[dict[str, Any]],
                       mails: int) -> list[str]:
    """What differs from an uninterrupted run (empty: the invariant holds)."""
    problems: list[str] = []
    db = Database.from_url(db_url)
    try:
        versions = _count(db, ReportVersionRow)
        stored = _count(db, SubmissionRow) + _count(db, PortalFileRow)
        claims = _count(db, IntakeClaimRow)
        with db.engine.connect() as conn:
            hashes = list(conn.execute(select(SubmissionRow.content_hash)).scalars()) + list(
                conn.execute(select(PortalFileRow.content_hash)).scalars())
    finally:
        db.dispose()
    if versions != 1:
        problems.append(f"{versions} report versions, expected 1")
    if stored != INPUTS or len(set(hashes)) != INPUTS:
        problems.append(f"{stored} stored inputs ({len(set(hashes))} distinct), "
                        f"expected {INPUTS}")
    if claims:
        problems.append(f"{claims} intake claims left open")
    archived = [p for p in (workspace / "archive").glob("*/*") if p.is_file()]
    if sorted(p.name.split(".")[0] for p in archived) != sorted(hashes):
        problems.append(f"archive holds {[p.name for p in archived]}, rows name {hashes}")
    left = [p for folder in ("inbox", "portal") for p in (workspace / folder).rglob("*")
            if p.is_file()]
    if left:
        problems.append(f"files left in the inbox: {left}")
    folders = sorted(p.name for p in (workspace / "reports" / scenario.PERIOD.label).iterdir()
                     if not p.name.endswith(".partial"))
    if folders != ["v1"]:
        problems.append(f"report folders {folders}, expected ['v1']")
    elif indicator_values(workspace) != expected:
        problems.append("indicators.json differs from the uninterrupted run's")
    if mails != 1:
        problems.append(f"{mails} e-mails received, expected 1")
    return problems


@dataclass
class Soak:
    """A prepared registry and workspace, a counting SMTP server and a scratch folder."""

    base: Path
    registry_dir: Path
    pristine: Path
    handler: CountingHandler
    port: int
    expected: list[dict[str, Any]] = field(default_factory=list)
    runs: int = 0

    def fresh(self) -> tuple[Path, str]:
        self.runs += 1
        workspace = self.base / f"run{self.runs}"
        shutil.copytree(self.pristine, workspace, copy_function=shutil.copy2)
        return workspace, f"sqlite:///{self.base / f'run{self.runs}.db'}"

    def baseline(self) -> None:
        """An uninterrupted run: the values every interrupted run must end with."""
        workspace, url = self.fresh()
        self.handler.received.clear()
        code = run_in_child(workspace, url, self.registry_dir, self.port, None)
        if code != 0:
            raise RuntimeError(f"the uninterrupted run failed (exit code {code})")
        self.expected = indicator_values(workspace)
        problems = invariant_problems(workspace, url, self.expected,
                                      len(self.handler.received))
        if problems:
            raise RuntimeError(f"the uninterrupted run: {problems}")
        shutil.rmtree(workspace)

    def cycle(self, kill_at: str | None) -> tuple[int, list[str]]:
        """Kill at ``kill_at``, rerun; the killed run's exit code and what went wrong."""
        workspace, url = self.fresh()
        self.handler.received.clear()
        killed = run_in_child(workspace, url, self.registry_dir, self.port, kill_at)
        rerun = run_in_child(workspace, url, self.registry_dir, self.port, None)
        problems = [] if rerun == 0 else [f"the rerun failed (exit code {rerun})"]
        problems += invariant_problems(workspace, url, self.expected,
                                       len(self.handler.received))
        if not problems:
            shutil.rmtree(workspace)
        return killed, problems


def start_soak(base: Path) -> tuple[Soak, Controller]:
    registry_dir, pristine = prepare(base)
    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    soak = Soak(base, registry_dir, pristine, handler, port)
    soak.baseline()
    return soak, controller


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    chooser = random.Random(seed)
    points: list[str | None] = [*KILL_POINTS, None]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cchc-soak-") as scratch:
        soak, controller = start_soak(Path(scratch))
        try:
            failures = killed = 0
            for number in range(1, args.cycles + 1):
                point = chooser.choice(points)
                code, problems = soak.cycle(point)
                killed += code == -9
                if problems:
                    failures += 1
                    print(f"cycle {number} (kill at {point}): {'; '.join(problems)}")
        finally:
            controller.stop()
    print(f"seed {seed}: {args.cycles} cycles, {killed} killed by SIGKILL, "
          f"{args.cycles - failures} invariant held, {failures} failed, "
          f"{time.monotonic() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
