"""The ``cchc`` command: agencies' self-check and template, and operators' runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from config.settings import load_settings
from tasks.model.closed_periods import check_closed
from tasks.model.periods import PeriodError, parse_period

if TYPE_CHECKING:
    from flows.resources import ReadOnlyResources
    from tasks.intake.par_reader import ParKind

app = typer.Typer(help="Báo cáo cải cách hành chính (CCHC) định kỳ.", no_args_is_help=True,
                  add_completion=False)

WorkspaceOpt = Annotated[Path | None, typer.Option("--workspace", help="Thư mục làm việc "
                                                   "(mặc định: CCHC_WORKSPACE hoặc ./workspace)")]
NoWaitOpt = Annotated[bool, typer.Option(
    "--no-wait", help="Không chờ tệp đang được ghi (tệp đó được ghi là «đang chờ thu nhận» và "
    "thu nhận ở lần chạy sau), như lịch chạy định kỳ")]


# The first start of Prefect's temporary server creates its database and runs every Prefect
# migration: about 30 s on a 2-core machine, past Prefect's default 20 s start-up limit.
PREFECT_STARTUP_TIMEOUT_SECONDS = 300
PROJECT_LOGGERS = "tasks,connectors,config,flows"

PREFECT_START_FAILED = (
    "Không khởi động được máy chủ tạm của Prefect: hãy chạy lại lệnh (lần chạy đầu tiên Prefect "
    "phải tạo cơ sở dữ liệu), và nếu vẫn lỗi thì kiểm tra quyền ghi vào thư mục PREFECT_HOME "
    "({home}) hoặc tăng PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS (hiện {timeout} giây)."
)


def _prefect_offline() -> None:
    """Keep Prefect offline for command-line runs; its log lines show each step's progress.

    Values already in the environment win, so an operator can still point Prefect elsewhere.
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_UI_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    # The project's own log lines (which file, accepted or rejected and why, which version)
    # go to the run's log beside Prefect's.
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", PROJECT_LOGGERS)
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
                          str(PREFECT_STARTUP_TIMEOUT_SECONDS))


def _start_prefect() -> None:
    """Set Prefect up and reach its API (starting the temporary server) before any flow runs.

    A failure ends the command with one sentence saying what to do, not a traceback.
    """
    _prefect_offline()
    from prefect.client.orchestration import get_client
    from prefect.settings import get_current_settings

    error: BaseException | None
    try:
        with get_client(sync_client=True) as client:
            error = client.api_healthcheck()
    except Exception as exc:  # any start-up failure: server, database, settings
        error = exc
    if error is not None:
        settings = get_current_settings()
        typer.echo(PREFECT_START_FAILED.format(
            home=settings.home, timeout=settings.server.ephemeral.startup_timeout_seconds),
            err=True)
        raise typer.Exit(3)


def _reading(workspace: Path | None = None) -> ReadOnlyResources:
    """The resources of a command that only reads (built by the composition root,
    :mod:`flows.resources`): nothing is created, migrated or written."""
    _prefect_offline()  # before flows.resources may import Prefect
    from flows.resources import ReadOnlyResources

    return ReadOnlyResources(load_settings(workspace=workspace))


def _check_database(workspace: Path | None) -> None:
    """A database this account cannot write stops the command with one sentence, before
    Prefect starts (exit 2)."""
    _prefect_offline()  # before flows.resources imports Prefect
    from connectors.db_session import DatabaseNotWritable
    from flows.resources import check_database

    try:
        check_database(load_settings(workspace=workspace))
    except DatabaseNotWritable as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="Tệp báo cáo (.xlsx, .csv, .json)")],
    agency: Annotated[str | None, typer.Option("--agency", help="Mã đơn vị nộp tệp")] = None,
) -> None:
    """Tự kiểm tra tệp trước khi nộp: 0 = hợp lệ, 1 = có lỗi, 2 = không đọc được tệp."""
    from tasks.intake.reader import UnreadableFile, read_submission
    from tasks.intake.validation import validate_submission

    reading = _reading()
    rules, registry, today = reading.rules, reading.registry, reading.today()
    refusal = _not_a_readable_file(file)
    if refusal:
        typer.echo(f"Không đọc được tệp {file.name}: {refusal}", err=True)
        raise typer.Exit(2)
    from tasks.intake.par_reader import par_file_kind

    if (kind := par_file_kind(file)) is not None:
        _validate_par_file(file, kind, agency, reading)
        return
    try:
        raw = read_submission(file)
    except (UnreadableFile, OSError) as exc:
        typer.echo(f"Không đọc được tệp {file.name}: {exc}", err=True)
        raise typer.Exit(2) from exc
    checked = validate_submission(raw, registry, today=today, rules=rules,
                                  folder_agency=agency)
    if (result := checked.value) is not None:
        typer.echo(f"Tệp hợp lệ: đơn vị {result.agency_code}, kỳ {result.period.label}, "
                   f"{len(result.tasks)} nhiệm vụ, {len(result.metrics)} chỉ tiêu.")
        return
    typer.echo(f"Tệp {file.name} có {len(checked.problems)} lỗi:")
    for number, problem in enumerate(checked.problems, start=1):
        typer.echo(f"{number}. {problem.line_vi()}")
    raise typer.Exit(1)


def _validate_par_file(file: Path, kind: ParKind, agency: str | None,
                       reading: ReadOnlyResources) -> None:
    """The self-check of a CCHC index file (self-assessment or appraisal); an appraisal is
    checked without the units' claims (no database is read), so a changed self-assessed
    criterion without a reason is found only at intake."""
    from config.par_criteria import load_par_criteria
    from tasks.intake.par_reader import read_par_file
    from tasks.intake.par_validation import validate_appraisal, validate_self_assessment
    from tasks.intake.reader import UnreadableFile

    criteria = load_par_criteria(reading.settings.registry_dir)
    try:
        raw = read_par_file(file, kind)
    except (UnreadableFile, OSError) as exc:
        typer.echo(f"Không đọc được tệp {file.name}: {exc}", err=True)
        raise typer.Exit(2) from exc
    today = reading.today()
    if kind == "self_assessment":
        mine = validate_self_assessment(raw, reading.registry, criteria, today=today,
                                        folder_agency=agency)
        if mine.value is not None:
            typer.echo(f"Bảng tự chấm hợp lệ: đơn vị {mine.value.unit}, năm {mine.value.year}, "
                       f"{len(mine.value.lines)} tiêu chí tự chấm.")
            return
        problems = mine.problems
    else:
        theirs = validate_appraisal(raw, reading.registry, criteria, today=today,
                                    folder_agency=agency, claims_of=None)
        if theirs.value is not None:
            typer.echo(f"Tệp thẩm định hợp lệ: năm {theirs.value.year}, "
                       f"{len(theirs.value.lines)} dòng thẩm định.")
            return
        problems = theirs.problems
    typer.echo(f"Tệp {file.name} có {len(problems)} lỗi:")
    for number, problem in enumerate(problems, start=1):
        typer.echo(f"{number}. {problem.line_vi()}")
    raise typer.Exit(1)


# the largest file the intake reads (connectors.drop_folder.MAX_READ_BYTES): the self-check
# refuses what the intake would refuse, before reading it
SELF_CHECK_MAX_BYTES = 64 * 1024 * 1024


def _not_a_readable_file(path: Path) -> str | None:
    """Why ``validate`` will not read ``path`` (a pipe, a device such as /dev/zero behind
    a symlink, a folder, a file too large), or ``None``: it never waits nor reads without
    end."""
    import stat

    try:
        status = path.stat()
    except OSError:
        return "không mở được tệp để đọc; hãy kiểm tra đường dẫn tệp"
    if not stat.S_ISREG(status.st_mode):
        return ("đây không phải là một tệp thông thường; hãy chỉ ra tệp báo cáo .xlsx, .csv "
                "hoặc .json")
    if status.st_size > SELF_CHECK_MAX_BYTES:
        return (f"tệp quá lớn (trên {SELF_CHECK_MAX_BYTES // 1024 // 1024} MB); hãy xoá các "
                "trang, hình ảnh không cần thiết rồi kiểm tra lại")
    return None


@app.command()
def template(
    agency: Annotated[str | None, typer.Option("--agency", help="Mã đơn vị")] = None,
    period: Annotated[str | None, typer.Option("--period",
                                               help="Kỳ báo cáo, ví dụ 2025-03")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="Tệp ghi ra")] = None,
    self_assessment: Annotated[bool, typer.Option(
        "--tu-cham", help="Bảng tự chấm điểm Chỉ số CCHC của đơn vị (cùng --agency, --year)")
    ] = False,
    appraisal: Annotated[bool, typer.Option(
        "--tham-dinh", help="Tệp thẩm định Chỉ số CCHC của Sở Nội vụ (cùng --year)")] = False,
    year: Annotated[int | None, typer.Option("--year", help="Năm đánh giá Chỉ số CCHC")
                    ] = None,
) -> None:
    """Tạo tệp mẫu báo cáo đã điền sẵn nhiệm vụ của đơn vị; với --tu-cham: bảng tự chấm
    điểm Chỉ số CCHC của đơn vị; với --tham-dinh: tệp thẩm định của Sở Nội vụ."""
    from tasks.intake.template import TemplateRefused, template_file_name, write_template

    if self_assessment or appraisal:
        _par_template(agency, year, output, appraisal=appraisal,
                      both=self_assessment and appraisal, period=period)
        return
    if agency is None or period is None:
        typer.echo("Cần --agency và --period (tệp báo cáo định kỳ), hoặc --tu-cham --agency "
                   "--year (bảng tự chấm), hoặc --tham-dinh --year (tệp thẩm định).", err=True)
        raise typer.Exit(2)
    reading = _reading()
    rules, registry = reading.rules, reading.registry
    try:
        parsed = parse_period(period)
    except PeriodError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    code = agency.upper()
    if registry.agency(code) is None:
        typer.echo(f"Mã đơn vị «{agency}» không có trong danh mục.", err=True)
        raise typer.Exit(2)
    path = output or Path.cwd() / template_file_name(code, parsed)
    try:
        write_template(registry, code, parsed, path, rules=rules)
    except TemplateRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Đã tạo tệp mẫu: {path}")


def _par_template(agency: str | None, year: int | None, output: Path | None, *,
                  appraisal: bool, both: bool, period: str | None) -> None:
    """``cchc template --tu-cham`` / ``--tham-dinh``: the CCHC index's workbooks."""
    from config.par_criteria import load_par_criteria
    from tasks.intake.par_template import (
        appraisal_file_name,
        self_assessment_file_name,
        write_appraisal,
        write_self_assessment,
    )
    from tasks.intake.template import TemplateRefused

    if both or period is not None or year is None or (not appraisal and agency is None):
        typer.echo("Bảng tự chấm: cchc template --tu-cham --agency <mã> --year <năm>; tệp "
                   "thẩm định: cchc template --tham-dinh --year <năm> (không dùng --period).",
                   err=True)
        raise typer.Exit(2)
    reading = _reading()
    criteria = load_par_criteria(reading.settings.registry_dir)
    try:
        if appraisal:
            path = output or Path.cwd() / appraisal_file_name(year)
            write_appraisal(reading.registry, criteria, year, path)
        else:
            assert agency is not None
            code = agency.upper()
            path = output or Path.cwd() / self_assessment_file_name(code, year)
            write_self_assessment(reading.registry, criteria, code, year, path)
    except TemplateRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Đã tạo tệp mẫu: {path}")


@app.command()
def collect(workspace: WorkspaceOpt = None,
            period: Annotated[str | None, typer.Option("--period")] = None,
            no_wait: NoWaitOpt = False) -> None:
    """Thu nhận các tệp trong thư mục inbox/ và portal/ của thư mục làm việc.

    Tệp đang được ghi (sửa chưa đủ CCHC_SETTLE_SECONDS) được chờ cho ghi xong, trừ khi
    có --no-wait."""
    if period is not None:  # only a label here, but a wrong one is said at once
        try:
            parse_period(period)
        except PeriodError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
    _check_database(workspace)
    _start_prefect()
    from flows.collect import collect_submissions

    counts = collect_submissions(period=period, workspace=str(workspace) if workspace else None,
                                 wait_for_files=not no_wait)
    waiting = counts.pop("waiting_files", [])
    typer.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
    _print_waiting(waiting)


def _print_waiting(waiting: object) -> None:
    """Each file left waiting for a later intake, with its unit: never hidden."""
    if not isinstance(waiting, list) or not waiting:
        return
    typer.echo(f"  Tệp đang chờ thu nhận ({len(waiting)}, đang được ghi; thu nhận ở lần chạy "
               "sau, đơn vị chưa tính là đã nộp):")
    for item in waiting:
        typer.echo(f"    {item['file']} (đơn vị {item['unit']})")


users = typer.Typer(help="Tài khoản trang web (cchc web).", no_args_is_help=True)
app.add_typer(users, name="users")


@users.command("add")
def users_add(
    email: Annotated[str, typer.Option("--email", help="Địa chỉ thư điện tử (tên đăng nhập)")],
    agency: Annotated[str | None, typer.Option("--agency", help="Mã đơn vị")] = None,
    province: Annotated[bool, typer.Option("--province", help="Tài khoản Sở Nội vụ")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Tạo tài khoản và in mật khẩu dùng một lần (chỉ in một lần)."""
    _prefect_offline()
    from connectors.web_accounts import AccountExists
    from flows.resources import open_accounts
    from tasks.model.clock import system_clock

    if province == (agency is not None):
        typer.echo("Chọn đúng một trong hai: --agency MÃ hoặc --province.", err=True)
        raise typer.Exit(2)
    code = agency.upper() if agency else None
    if code is not None and _reading(workspace).registry.agency(code) is None:
        typer.echo(f"Mã đơn vị «{agency}» không có trong danh mục.", err=True)
        raise typer.Exit(2)
    accounts = open_accounts(load_settings(workspace=workspace))
    try:
        password = accounts.add(email, agency_code=code, now=system_clock())
    except AccountExists as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Đã tạo tài khoản {email.strip().lower()} "
               f"({'đơn vị ' + code if code else 'Sở Nội vụ'}).")
    typer.echo(f"Mật khẩu dùng một lần (chỉ hiện lần này): {password}")


@app.command()
def web(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8080,
    workspace: WorkspaceOpt = None,
    dev: Annotated[bool, typer.Option("--dev", help="Cho phép chạy không có CCHC_WEB_SECRET "
                                      "(khoá tạm, chỉ để thử trên máy mình)")] = False,
) -> None:
    """Chạy trang web cho các đơn vị nộp và xem báo cáo."""
    _prefect_offline()
    import secrets

    import uvicorn

    from cli.web.app import WebLimits, create_app
    from flows.resources import build_web_resources

    settings = load_settings(workspace=workspace)
    if settings.web_secret is not None:
        secret = settings.web_secret.get_secret_value()
    elif dev:
        secret = secrets.token_urlsafe(32)
    else:
        typer.echo("Chưa đặt CCHC_WEB_SECRET (khoá ký phiên đăng nhập, ít nhất 32 ký tự "
                   "ngẫu nhiên); đặt biến này rồi chạy lại, hoặc dùng --dev để thử.", err=True)
        raise typer.Exit(2)
    limits = WebLimits(max_upload_bytes=int(settings.web_max_upload_mb * 1024 * 1024))
    application = create_app(build_web_resources(settings), secret, limits,
                             https_only=not dev)
    uvicorn.run(application, host=host, port=port, proxy_headers=True,
                server_header=False, log_level="info")


def main() -> None:  # pragma: no cover - console entry point
    app()


def _print_report(summary: dict[str, object]) -> None:
    state = summary.get("state") or ("bản mới" if summary["created"]
                                      else "không đổi, giữ bản đã có")
    typer.echo(f"Báo cáo kỳ {summary['period']}: v{summary['version']} ({state})")
    if summary.get("provisional"):
        typer.echo("  BẢN TẠM: kỳ chưa kết thúc, số liệu còn thay đổi; không gửi Sở Nội vụ.")
    typer.echo(f"  Thư mục báo cáo: {summary['folder']}")
    typer.echo(f"  Đơn vị chưa nộp: {summary['missing_units']}; tệp bị từ chối: "
               f"{summary['rejected_files']}")
    if summary.get("published_to"):
        typer.echo(f"  Đã gửi Sở Nội vụ: {summary['published_to']}")
    _print_waiting(summary.get("waiting_files"))


@app.command()
def run(
    period: Annotated[str | None, typer.Option("--period", help="Kỳ báo cáo (mặc định: tháng "
                                               "vừa kết thúc)")] = None,
    workspace: WorkspaceOpt = None,
    no_publish: Annotated[bool, typer.Option("--no-publish", help="Không gửi Sở Nội vụ")] = False,
    force: Annotated[bool, typer.Option("--force", help="Tạo bản mới dù dữ liệu không đổi")
                     ] = False,
    no_wait: NoWaitOpt = False,
    open_period: Annotated[bool, typer.Option(
        "--open-period", help="Lập bản tạm của kỳ đang mở (--period chưa kết thúc); bản tạm "
        "không gửi Sở Nội vụ")] = False,
) -> None:
    """Thu nhận, tính chỉ số và lập báo cáo tổng hợp cho một kỳ đã kết thúc.

    Tệp vừa thả vào thư mục (đang được ghi) được chờ cho ghi xong rồi mới thu nhận, tối đa
    CCHC_SETTLE_SECONDS sau lần sửa cuối của mỗi tệp; --no-wait: không chờ. Kỳ chưa kết
    thúc bị từ chối, trừ kỳ đang mở khi có --open-period (bản tạm, không gửi)."""
    if open_period and period is None:
        typer.echo("Tùy chọn --open-period cần ghi rõ kỳ đang mở, ví dụ --period 2025-06.",
                   err=True)
        raise typer.Exit(2)
    if period is not None:  # a period that cannot be read or has not closed: one sentence,
        reading = _reading(workspace)  # before Prefect
        try:
            check_closed(parse_period(period), reading.today(), reading.rules.convention,
                         open_period=open_period)
        except PeriodError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
    _check_database(workspace)
    _start_prefect()
    from flows.monthly_report import monthly_report

    summary = monthly_report(period=period, force=force, publish=not no_publish,
                             workspace=str(workspace) if workspace else None,
                             wait_for_files=not no_wait, open_period=open_period)
    _print_report(summary)


@app.command()
def demo(workspace: Annotated[Path, typer.Option("--workspace", help="Thư mục demo")] = Path(
        "demo-workspace"),
         history: Annotated[bool, typer.Option("--history", help="12 tháng qua mốc 01/7/2025 "
                                               "(cấp huyện trước, cấp xã sau) và biểu đồ xu "
                                               "hướng có điểm gián đoạn")] = False,
         no_wait: NoWaitOpt = False) -> None:
    """Tạo tỉnh demo (đơn vị và nhiệm vụ thật, số liệu giả lập) và chạy báo cáo tháng."""
    _prefect_offline()
    from cli.demo_run import (
        history_periods,
        history_year,
        stage_and_collect,
        stage_and_collect_assessments,
    )
    from flows.monthly_report import monthly_report
    from tasks.demo.province import DEMO_PERIOD, DemoWorkspaceError

    reading = _reading(workspace)
    settings, registry = reading.settings, reading.registry
    periods = history_periods() if history else [DEMO_PERIOD]
    started = False
    for index, period in enumerate(periods):
        try:
            plan = stage_and_collect(settings, registry, period, seed=2025 + index,
                                     fresh=index == 0)
        except DemoWorkspaceError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"Tỉnh demo, kỳ {period}: {len(plan.submitted)} đơn vị nộp báo cáo, "
                   f"{len(plan.missing)} chưa nộp, {len(plan.late)} nộp muộn, 1 tệp lỗi, "
                   "1 tệp nộp lại; số liệu cổng dịch vụ công trong portal/.")
        if not started:
            typer.echo("Đang khởi động Prefect (máy chủ tạm; lần đầu trên máy mới có thể mất "
                       "một phút để tạo cơ sở dữ liệu)…")
            _start_prefect()
            started = True
        typer.echo("Đang chạy luồng báo cáo tháng…")
        summary = monthly_report(period=period, workspace=str(workspace.resolve()),
                                 wait_for_files=not no_wait)
        _print_report(summary)
    if history:
        year = history_year()
        written = stage_and_collect_assessments(settings, registry, year)
        typer.echo(f"Chỉ số CCHC năm {year}: {len(written.assessed)} đơn vị nộp bảng tự chấm, "
                   f"Sở Nội vụ nộp tệp thẩm định ({len(written.adjusted)} điểm điều chỉnh).")
        typer.echo(f"Đang chạy báo cáo năm {year} (phụ lục Chỉ số CCHC năm {year})…")
        _print_report(monthly_report(period=year, workspace=str(workspace.resolve()),
                                     wait_for_files=not no_wait))


@app.command()
def whatif(
    period: Annotated[str, typer.Option("--period", help="Kỳ báo cáo, ví dụ 2025-05")],
    set_: Annotated[list[str], typer.Option("--set", help="Giả định một tỷ lệ (%), ví dụ "
                                            "idx766_online_share=60; lặp lại được")],
    workspace: WorkspaceOpt = None,
    file: Annotated[Path | None, typer.Option("--file", help="Tệp hồ sơ (mặc định: "
                                              "portal/ho-so-<kỳ>.csv|.parquet hoặc archive/)")
                    ] = None,
) -> None:
    """Chỉ số 766: điểm tăng thêm nếu một số tỷ lệ đạt mức giả định (tính từ tệp hồ sơ)."""
    from tasks.model.problems import RejectedInput
    from tasks.portal.dossiers import (
        find_dossier_file,
        indicators_of_units,
        load_dossier_counts,
        rates_of,
    )
    from tasks.portal.index766 import OverrideError, parse_override, what_if

    reading = _reading(workspace)
    settings, registry, rules = reading.settings, reading.registry, reading.index766
    try:
        parsed = parse_period(period)
        overrides = dict(parse_override(item) for item in set_)
    except (PeriodError, OverrideError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    path = file or find_dossier_file(settings.workspace, parsed.label)
    if path is None:  # taken in by a collection: archived under its content hash
        with reading.database() as db:
            stored = db.current_dossier_file(parsed.label) if db is not None else None
        path = Path(stored.archive_path) if stored is not None else None
    if path is None or not path.is_file():
        typer.echo(f"Không tìm thấy tệp hồ sơ kỳ {parsed.label} (portal/ho-so-{parsed.label}"
                   f".csv hoặc .parquet) trong {settings.workspace}", err=True)
        raise typer.Exit(2)
    try:
        counts = load_dossier_counts(path, parsed.window(settings.period_convention),
                                     {a.code for a in registry.agencies}, rules)
    except RejectedInput as exc:
        typer.echo(f"Tệp {path.name} có {len(exc.problems)} lỗi:", err=True)
        for number, problem in enumerate(exc.problems, start=1):
            typer.echo(f"{number}. {problem.line_vi()}", err=True)
        raise typer.Exit(1) from exc
    try:
        result = what_if(rates_of(indicators_of_units(counts)), overrides, rules)
    except OverrideError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Chỉ số 766 toàn tỉnh, kỳ {parsed.label} (tệp {path.name}):")
    for line in result.lines_vi():
        typer.echo(line)


@app.command()
def trace(
    period: Annotated[str, typer.Option("--period", help="Kỳ báo cáo, ví dụ 2025-05")],
    unit: Annotated[str, typer.Option("--unit", help="Mã đơn vị, hoặc TINH cho toàn tỉnh")],
    indicator: Annotated[str | None, typer.Option(
        "--indicator", help="Mã chỉ số, ví dụ on_time_rate")] = None,
    version: Annotated[int | None, typer.Option("--version", help="Bản báo cáo (mặc định: "
                                                "bản mới nhất)")] = None,
    workspace: WorkspaceOpt = None,
    criterion: Annotated[str | None, typer.Option(
        "--criterion", help="Mã tiêu chí của Chỉ số CCHC năm, ví dụ 1.5.1 (với --period là "
        "năm, ví dụ 2025)")] = None,
) -> None:
    """Nguồn gốc một số liệu đã công bố: giá trị, tử số, mẫu số, tệp đầu vào và các dòng;
    với --criterion: nguồn điểm một tiêu chí Chỉ số CCHC năm của đơn vị."""
    from tasks.report.par_trace import trace_points
    from tasks.report.trace import TraceError, trace_figure, trace_lines

    if (indicator is None) == (criterion is None):
        typer.echo("Ghi một trong hai: --indicator (một chỉ số của kỳ) hoặc --criterion (một "
                   "tiêu chí của Chỉ số CCHC năm).", err=True)
        raise typer.Exit(2)

    reading = _reading(workspace)
    try:
        label = parse_period(period).label
    except PeriodError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    try:
        with reading.database() as db:
            if db is None:
                raise TraceError(f"kỳ {label} chưa có bản báo cáo (cơ sở dữ liệu chưa có lượt "
                                 "chạy nào của phiên bản này; hãy chạy cchc run trước)")
            if criterion is not None:
                lines = trace_points(db, label, unit.strip().upper(), criterion.strip(),
                                     version)
            else:
                found = trace_figure(db, label, unit.strip().upper(), str(indicator).strip(),
                                     version)
                lines = trace_lines(found, reading.settings.timezone)
    except TraceError as exc:
        typer.echo(f"Không truy được nguồn: {exc}", err=True)
        raise typer.Exit(1) from exc
    for line in lines:
        typer.echo(line)

