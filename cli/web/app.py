"""The web application: Starlette, server-rendered Vietnamese pages (Jinja2), sessions in
signed cookies. Only calls what the composition root built (:class:`WebResources`) and
the domain's functions; an upload goes through the agency folder's own ``Intake``, under
the workspace lock, like a file dropped into ``inbox/<CODE>/``.

Every page an agency reads is Vietnamese; no page shows a server path or a traceback
(errors are answered by :func:`_error_page`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from cli.web.guards import BodyTooLarge, RateLimit, capped, csrf_ok, csrf_token
from cli.web.report_launch import ReportLauncher, default_launcher
from connectors.web_accounts import AGENCY, PROVINCE
from connectors.web_upload import place_upload, upload_suffix
from flows.resources import WebResources
from tasks.intake.agency_page import agency_page
from tasks.intake.collect import FileOutcome
from tasks.intake.template import TemplateRefused, build_workbook, template_file_name
from tasks.model.closed_periods import check_closed
from tasks.model.periods import PeriodError, parse_period
from tasks.model.problems import Problem, agency_message
from tasks.report.province_page import (
    FILE_KINDS,
    page_period,
    province_page,
    version_file,
    waiting_in_inbox,
)

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields beside the file
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"xlsx": XLSX, "html": "text/html; charset=utf-8",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@dataclass(frozen=True)
class WebLimits:
    max_upload_bytes: int = 20 * 1024 * 1024
    logins_per_minute: int = 10  # per client address
    uploads_per_minute: int = 10  # per client address


def create_app(web: WebResources, secret: str, limits: WebLimits = WebLimits(), *,
               https_only: bool = False, launch: ReportLauncher | None = None) -> Starlette:
    """The application. ``launch`` starts a period's report for the province's button
    (default: the Prefect deployment when ``PREFECT_API_URL`` is set, else ``cchc run``)."""
    run = web.run
    launch_report = launch or default_launcher(run.settings.workspace, run.now)
    login_limit = RateLimit(limits.logins_per_minute, 60)
    upload_limit = RateLimit(limits.uploads_per_minute, 60)

    def now() -> datetime:
        return run.now()

    def client(request: Request) -> str:
        return request.client.host if request.client else "?"

    def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
        context.update(user=request.session.get("email"), csrf=csrf_token(request.session))
        return TEMPLATES.TemplateResponse(request, name, context, status_code=status)

    def current_user(request: Request) -> dict[str, Any] | None:
        email = request.session.get("email")
        if not isinstance(email, str):
            return None
        return {"email": email, "role": request.session.get("role"),
                "agency": request.session.get("agency")}

    def refuse(request: Request, user: dict[str, Any], what: str,
               message: str = "Tài khoản của anh/chị không được truy cập trang của đơn vị "
                              "khác.") -> Response:
        run_audit("refused", user["email"], request, what)
        return page(request, "error.html", 403, message=message)

    def refuse_province(request: Request, user: dict[str, Any], what: str) -> Response:
        return refuse(request, user, what, "Chỉ tài khoản của Sở Nội vụ được dùng trang này.")

    def run_audit(action: str, email: str | None, request: Request,
                  detail: str | None = None) -> None:
        web.accounts.audit(action, email=email, at=now(), detail=detail,
                           client=client(request))

    def allowed(user: dict[str, Any], code: str) -> bool:
        return bool(user["role"] == PROVINCE
                    or (user["role"] == AGENCY and user["agency"] == code))

    async def home(request: Request) -> Response:
        user = current_user(request)
        if user is None:
            return RedirectResponse("/dang-nhap", 303)
        if user["role"] == AGENCY:
            return RedirectResponse(f"/don-vi/{user['agency']}", 303)
        return await province_view(request, user)

    async def province(request: Request) -> Response:
        user = current_user(request)
        if user is None:
            return RedirectResponse("/dang-nhap", 303)
        if user["role"] != PROVINCE:
            return refuse_province(request, user, "xem trang Sở Nội vụ")
        return await province_view(request, user)

    async def province_view(request: Request, user: dict[str, Any], *, status: int = 200,
                            label: str | None = None, launched: str | None = None,
                            error: str | None = None) -> Response:
        try:
            period = page_period(label or request.query_params.get("ky"), rules=run.rules,
                                 now=now())
        except PeriodError as exc:
            return page(request, "error.html", 400, message=str(exc))
        level = request.query_params.get("loai")
        level = level if level in ("so", "xa") else None
        content = await run_in_threadpool(
            lambda: province_page(run.db, run.registry, period, rules=run.rules,
                                  waiting=waiting_in_inbox(run.inbox.pending()), level=level))
        return page(request, "province.html", status, content=content, level=level,
                    zone=run.rules.zone, file_kinds=FILE_KINDS, launched=launched,
                    error=error)

    async def report_file(request: Request) -> Response:
        user = current_user(request)
        if user is None:
            return RedirectResponse("/dang-nhap", 303)
        label, version, kind = (request.path_params["ky"], request.path_params["version"],
                                request.path_params["kind"])
        if user["role"] != PROVINCE:
            return refuse_province(request, user, f"tải báo cáo {label} v{version} ({kind})")
        path = version_file(run.reporting.reports_dir, label, version, kind)
        if path is None:
            raise HTTPException(404)
        return FileResponse(path, media_type=MEDIA_TYPES[kind], filename=path.name)

    async def run_report(request: Request) -> Response:
        user = current_user(request)
        if user is None:
            return RedirectResponse("/dang-nhap", 303)
        form = await request.form(max_files=0, max_fields=5)
        label = str(form.get("ky", ""))[:20]
        if user["role"] != PROVINCE:
            return refuse_province(request, user, f"lập báo cáo kỳ {label}")
        if not csrf_ok(request.session, form.get("csrf")):
            run_audit("refused", user["email"], request, "lập báo cáo: thiếu mã CSRF")
            return page(request, "error.html", 403, message="Yêu cầu không hợp lệ; hãy tải "
                        "lại trang rồi bấm lại.")
        try:
            period = parse_period(label)
            check_closed(period, run.today(), run.rules.convention)
        except PeriodError as exc:
            run_audit("run_report", user["email"], request, f"kỳ {label}: bị từ chối")
            return await province_view(request, user, status=400, label=label,
                                       error=str(exc))
        try:
            launched = await run_in_threadpool(launch_report, period)
        except Exception:  # a launch that fails is said on the page, never as a traceback
            run_audit("run_report", user["email"], request, f"kỳ {period.label}: không "
                      "khởi động được")
            return await province_view(request, user, status=503, label=period.label,
                                       error="Không khởi động được việc lập báo cáo; hãy "
                                       "thử lại sau hoặc báo quản trị hệ thống.")
        run_audit("run_report", user["email"], request, launched.detail)
        return await province_view(request, user, label=period.label,
                                   launched=launched.message)

    async def login_form(request: Request) -> Response:
        return page(request, "login.html")

    async def login(request: Request) -> Response:
        if not login_limit.allow(client(request)):
            run_audit("login_rate_limited", None, request)
            return page(request, "login.html", 429,
                        error="Quá nhiều lần đăng nhập; hãy thử lại sau một phút.")
        form = await request.form(max_files=0, max_fields=5)
        email = str(form.get("email", ""))[:254]
        if not csrf_ok(request.session, form.get("csrf")):
            run_audit("refused", email or None, request, "đăng nhập: thiếu mã CSRF")
            return page(request, "login.html", 403,
                        error="Phiên làm việc đã hết hạn; hãy tải lại trang và đăng nhập lại.")
        result = await run_in_threadpool(web.accounts.login, email,
                                         str(form.get("password", "")), now())
        if result.user is None:
            detail = "tài khoản đang bị khoá" if result.locked_until else None
            run_audit("login_failed", email, request, detail)
            message = "Sai địa chỉ thư hoặc mật khẩu."
            if result.locked_until is not None:
                until = result.locked_until.astimezone(run.rules.zone)
                message = ("Tài khoản tạm khoá do đăng nhập sai nhiều lần; hãy thử lại sau "
                           f"{until:%H:%M %d/%m/%Y}.")
            return page(request, "login.html", 401, error=message, email=email)
        request.session.clear()
        request.session.update(email=result.user.email, role=result.user.role,
                               agency=result.user.agency_code)
        run_audit("login_ok", result.user.email, request)
        return RedirectResponse("/", 303)

    async def logout(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=5)
        user = current_user(request)
        if not csrf_ok(request.session, form.get("csrf")):
            return page(request, "error.html", 403, message="Yêu cầu không hợp lệ.")
        if user is not None:
            run_audit("logout", user["email"], request)
        request.session.clear()
        return RedirectResponse("/dang-nhap", 303)

    async def agency(request: Request) -> Response:
        user = current_user(request)
        if user is None:
            return RedirectResponse("/dang-nhap", 303)
        code = request.path_params["code"].upper()
        if not allowed(user, code):
            return refuse(request, user, f"xem trang đơn vị {code}")
        unit = run.registry.agency(code)
        if unit is None:
            raise HTTPException(404)
        periods = await run_in_threadpool(agency_page, web.agency_files, code,
                                         rules=run.rules, now=now())
        return page(request, "agency.html", unit=unit, periods=periods, zone=run.rules.zone,
                    can_upload=user["role"] == AGENCY,
                    max_mb=limits.max_upload_bytes // (1024 * 1024))

    async def template(request: Request) -> Response:
        user = current_user(request)
        if user is None:
            return RedirectResponse("/dang-nhap", 303)
        code = request.path_params["code"].upper()
        if not allowed(user, code):
            return refuse(request, user, f"tải tệp mẫu của đơn vị {code}")
        try:
            period = parse_period(request.query_params.get("ky", ""))
            workbook = build_workbook(run.registry, code, period, rules=run.rules)
        except (PeriodError, TemplateRefused) as exc:
            return page(request, "error.html", 400, message=str(exc))
        buffer = io.BytesIO()
        workbook.save(buffer)
        name = template_file_name(code, period)
        return Response(buffer.getvalue(), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def upload(request: Request) -> Response:
        user = current_user(request)
        if user is None:
            return RedirectResponse("/dang-nhap", 303)
        code = request.path_params["code"].upper()
        if user["role"] != AGENCY or user["agency"] != code:
            return refuse(request, user, f"nộp tệp vào thư mục đơn vị {code}")
        if not upload_limit.allow(client(request)):
            run_audit("upload_rate_limited", user["email"], request)
            return page(request, "error.html", 429,
                        message="Quá nhiều lần nộp tệp; hãy thử lại sau một phút.")
        cap = limits.max_upload_bytes + FORM_OVERHEAD
        too_large = ("Tệp quá lớn: tối đa "
                     f"{limits.max_upload_bytes // (1024 * 1024)} MB; hãy xoá các trang, "
                     "hình ảnh không cần thiết rồi nộp lại.")
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return page(request, "error.html", 411, message="Yêu cầu thiếu độ dài nội dung.")
        if int(length) > cap:
            run_audit("upload", user["email"], request, f"bị từ chối: quá lớn ({length} byte)")
            return page(request, "error.html", 413, message=too_large)
        try:
            form = await Request(request.scope, capped(request.receive, cap)).form(
                max_files=1, max_fields=3)
        except BodyTooLarge:
            run_audit("upload", user["email"], request, "bị từ chối: quá lớn")
            return page(request, "error.html", 413, message=too_large)
        try:
            if not csrf_ok(request.session, form.get("csrf")):
                run_audit("refused", user["email"], request, "nộp tệp: thiếu mã CSRF")
                return page(request, "error.html", 403, message="Yêu cầu không hợp lệ; hãy "
                            "tải lại trang rồi nộp lại.")
            sent = form.get("tep")
            if not isinstance(sent, UploadFile) or not sent.filename:
                return page(request, "error.html", 400, message="Chưa chọn tệp để nộp.")
            client_name = agency_message(sent.filename)[-120:]
            suffix = upload_suffix(sent.filename)
            if suffix is None:
                run_audit("upload", user["email"], request,
                          f"{client_name}: bị từ chối: định dạng không nhận")
                return page(request, "error.html", 400, message="Chỉ nhận tệp .xlsx, .xlsm, "
                            ".csv hoặc .json.")
            if (sent.size or 0) > limits.max_upload_bytes:
                run_audit("upload", user["email"], request, f"{client_name}: quá lớn")
                return page(request, "error.html", 413, message=too_large)
            outcome = await run_in_threadpool(_take_upload, web, code, sent, suffix,
                                               sent.filename)
        finally:
            await form.close()
        run_audit("upload", user["email"], request,
                  f"{client_name}: {outcome.outcome if outcome else 'đang xử lý'}"
                  + (f" (kỳ {outcome.period})" if outcome and outcome.period else ""))
        return page(request, "upload.html", unit=run.registry.agency(code),
                    client_name=client_name, outcome=outcome,
                    problems=_problems_for_agency(outcome))

    async def error_page(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        message = {404: "Không tìm thấy trang.", 405: "Yêu cầu không hợp lệ."}.get(
            status, "Đã có lỗi; hãy thử lại sau hoặc liên hệ Sở Nội vụ.")
        # a 500 is answered outside the session middleware: no session, no user shown
        return TEMPLATES.TemplateResponse(request, "error.html",
                                          {"message": message, "user": None, "csrf": ""},
                                          status_code=status)

    routes = [
        Route("/", home),
        Route("/dang-nhap", login_form, methods=["GET"]),
        Route("/dang-nhap", login, methods=["POST"]),
        Route("/dang-xuat", logout, methods=["POST"]),
        Route("/so-noi-vu", province, methods=["GET"]),
        Route("/so-noi-vu/bao-cao/{ky}/v{version:int}/{kind}", report_file, methods=["GET"]),
        Route("/so-noi-vu/lap-bao-cao", run_report, methods=["POST"]),
        Route("/don-vi/{code}", agency),
        Route("/don-vi/{code}/mau", template),
        Route("/don-vi/{code}/nop", upload, methods=["POST"]),
    ]
    middleware = [Middleware(SessionMiddleware, secret_key=secret, session_cookie="cchc_phien",
                             max_age=8 * 3600, same_site="strict", https_only=https_only)]
    return Starlette(routes=routes, middleware=middleware,
                     exception_handlers={HTTPException: error_page, Exception: error_page})


def _take_upload(web: WebResources, code: str, sent: UploadFile, suffix: str,
                 client_name: str) -> FileOutcome | None:
    """Put the upload into ``inbox/<code>/`` and take it in with the folder's ``Intake``,
    under the workspace lock (no settle wait: the upload is complete)."""
    run = web.run
    with run.lock:
        sent.file.seek(0)
        item = place_upload(run.inbox, code, sent.file, suffix, run.now(), client_name)
        return run.inbox_intake.take(item)


def _problems_for_agency(outcome: FileOutcome | None) -> list[Problem]:
    if outcome is None:
        return []
    return [Problem(agency_message(p.message), p.sheet, p.row, p.column)
            for p in outcome.problems]
