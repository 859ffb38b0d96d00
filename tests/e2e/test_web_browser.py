"""The web pages in a real browser: Debian's ``chromium`` driven through its
``chromium-driver`` by Selenium, headless, against the real ``cchc web`` server.

A demo workspace with its SQLite database; an agency account and a Sở Nội vụ account made
by the real ``cchc users add``; the agency logs in, uploads a CSV file written here by hand
with two wrong values, reads the Vietnamese receipt row by row, uploads the corrected file
and sees it accepted, logs out; Sở Nội vụ logs in and sees the unit reported.

Nothing is downloaded at run time: the browser and the driver are the Debian packages
(``.ci/run`` installs both), named by path so Selenium Manager is never asked for one.
A screenshot of each page is saved in ``$CCHC_SCREENSHOT_DIR`` (``.ci/run`` keeps them as
artefacts of the run) or, unset, in the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from config.registry import load_registry
from config.settings import REGISTRY_DIR, load_settings
from tasks.demo.province import build_demo_workspace
from tasks.model.periods import Period
from tasks.model.rules import ReportingRules
from tests.e2e.processes import child_process
from tests.paths import REPO
from tests.servers import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AGENCY = "STP"
AGENCY_EMAIL = "van-thu@stp.example.vn"
PROVINCE_EMAIL = "cchc@snv.example.vn"
REPORTED = ("đã nộp đúng hạn", "nộp muộn")
PASSWORD_LINE = re.compile(r"Mật khẩu dùng một lần \(chỉ hiện lần này\): (\S+)")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
        reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, "
               "/usr/bin/chromedriver): apt-get install chromium chromium-driver "
               "(.ci/run installs both)"),
]


def _agency_csv(period: Period, *, checks: str, reviewed: str) -> str:
    """An agency's CSV file as a person writes it: the three blocks, ``;`` separated, the
    period as on paper (mm/yyyy). Sở Tư pháp has no task due this period, so only its
    indicators are filled."""
    month, year = period.label.split("-")[1], period.label.split("-")[0]
    return (
        "Thông tin\n"
        f"Mã đơn vị;{AGENCY}\n"
        f"Kỳ báo cáo;{month}/{year}\n"
        "Nhiệm vụ\n"
        "Mã nhiệm vụ;Tình trạng;Tiến độ (%);Ngày hoàn thành;Kết quả/Sản phẩm;"
        "Khó khăn, vướng mắc\n"
        "Chỉ tiêu\n"
        "Mã chỉ tiêu;Giá trị;Ghi chú\n"
        f"kiem_tra_cchc;{checks};Kiểm tra tại Phòng Hộ tịch\n"
        f"vbqppl_ra_soat;{reviewed};\n"
    )


def _cchc() -> str:
    """The ``cchc`` command installed beside this interpreter (``make setup``)."""
    command = Path(sys.executable).with_name("cchc")
    assert command.exists(), f"{command} not found: run make setup"
    return str(command)


def _environment(workspace: Path, prefect_home: Path) -> dict[str, str]:
    """The parent's environment without any CCHC_ setting of its own: the workspace (and
    its SQLite file) is the test's; the code is this checkout's, whatever is installed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    env.update(CCHC_WORKSPACE=str(workspace), PREFECT_HOME=str(prefect_home), PYTHONPATH=str(REPO),
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PYTHONUNBUFFERED="1")
    return env


def _add_user(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([_cchc(), "users", "add", *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    found = PASSWORD_LINE.search(done.stdout)
    assert found is not None, done.stdout
    return found.group(1)


@contextmanager
def _server(env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """``cchc web --dev`` on 127.0.0.1 in its own process group, answering; stopped (with
    its children) on the way out."""
    base = f"http://127.0.0.1:{port}"
    with child_process([_cchc(), "web", "--dev", "--host", "127.0.0.1", "--port", str(port)],
                       env, log, term_wait=15) as proc:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"cchc web exited:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/dang-nhap", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"cchc web not answering:\n{log.read_text(errors='replace')}")
            time.sleep(0.3)
        yield base


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebDriver]:
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager: never download anything
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    service = Service(executable_path=str(CHROMEDRIVER),
                      log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CCHC_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Pages:
    """The browser on the running server, with a numbered screenshot of every page."""

    def __init__(self, driver: WebDriver, base: str, screenshots: Path) -> None:
        self.driver, self.base, self.folder, self.count = driver, base, screenshots, 0

    def shot(self, name: str) -> None:
        self.count += 1
        path = self.folder / f"web-{self.count:02d}-{name}.png"
        assert self.driver.save_screenshot(str(path)), path

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def submit(self, css: str) -> None:
        """Click a form's button and wait for the page the server answers with: a form
        post's click returns before the new page has loaded."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.CSS_SELECTOR, css).click()
        WebDriverWait(self.driver, 60).until(expected_conditions.staleness_of(old))
        WebDriverWait(self.driver, 60).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def text(self) -> str:
        return str(self.driver.find_element(By.TAG_NAME, "body").text)

    def log_in(self, email: str, password: str, name: str) -> None:
        self.open("/dang-nhap")
        self.shot(f"dang-nhap-{name}")
        self.driver.find_element(By.NAME, "email").send_keys(email)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        self.submit("main button[type=submit]")

    def log_out(self) -> None:
        self.submit("header form button[type=submit]")
        assert self.driver.current_url.endswith("/dang-nhap")

    def upload(self, path: Path) -> None:
        self.driver.find_element(By.CSS_SELECTOR, "input[type=file][name=tep]").send_keys(
            str(path.resolve()))
        self.submit("main form button[type=submit]")

    def problem_rows(self) -> list[list[str]]:
        rows = self.driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")
        return [[str(cell.text) for cell in row.find_elements(By.TAG_NAME, "td")]
                for row in rows]


def test_agency_uploads_reads_its_receipt_and_sở_nội_vụ_sees_it_reported(
        tmp_path: Path, browser: WebDriver, screenshots: Path) -> None:
    workspace = tmp_path / "ws"
    build_demo_workspace(workspace, load_registry(REGISTRY_DIR))
    env = _environment(workspace, tmp_path / "prefect")
    agency_password = _add_user(env, "--agency", AGENCY, "--email", AGENCY_EMAIL)
    province_password = _add_user(env, "--province", "--email", PROVINCE_EMAIL)
    rules = ReportingRules.from_settings(load_settings(workspace=workspace))
    period = rules.last_closed_month(rules.today(datetime.now(UTC)))
    wrong = tmp_path / "bao-cao-stp.csv"
    wrong.write_text(_agency_csv(period, checks="ba cuộc", reviewed="-4"), encoding="utf-8")
    fixed = tmp_path / "bao-cao-stp-da-sua.csv"
    fixed.write_text(_agency_csv(period, checks="3", reviewed="4"), encoding="utf-8")

    with _server(env, free_port(), tmp_path / "web.log") as base:
        pages = Pages(browser, base, screenshots)

        # the agency: its own page, with the period to report and the upload form
        pages.log_in(AGENCY_EMAIL, agency_password, "don-vi")
        assert browser.current_url.endswith(f"/don-vi/{AGENCY}")
        assert "Sở Tư pháp (STP)" in pages.text()
        assert f"({period.label})" in pages.text()
        pages.shot("trang-don-vi")

        # a file with two wrong values: refused, each problem on the page with its row
        pages.upload(wrong)
        pages.shot("bien-nhan-tra-lai")
        assert "Tệp chưa được tiếp nhận vì có 2 lỗi" in pages.text()
        rows = pages.problem_rows()
        assert ["1", "Trang «Chỉ tiêu», dòng 8, cột «Giá trị»",
                "«ba cuộc» không phải là số"] in rows, rows
        assert ["2", "Trang «Chỉ tiêu», dòng 9, cột «Giá trị»",
                "giá trị phải lớn hơn hoặc bằng 0, không phải -4"] in rows, rows

        # the corrected file: accepted for the period
        pages.open(f"/don-vi/{AGENCY}")
        pages.upload(fixed)
        pages.shot("bien-nhan-tiep-nhan")
        assert f"Tệp đã được tiếp nhận cho kỳ {period.label}" in pages.text()

        # its page now lists both files and the period as reported
        pages.open(f"/don-vi/{AGENCY}")
        pages.shot("trang-don-vi-da-nop")
        page = pages.text()
        state = re.search(rf"\({period.label}\)\nHạn nộp: [0-9/]+ — Tình trạng: (.+?) —", page)
        assert state is not None and state.group(1) in REPORTED, page
        assert "bị trả lại" in page and "«ba cuộc» không phải là số" in page
        assert "đã tiếp nhận (bản đang dùng)" in page
        pages.log_out()

        # Sở Nội vụ: the unit reported for the period on the province's page
        pages.log_in(PROVINCE_EMAIL, province_password, "so-noi-vu")
        pages.open("/")
        pages.shot("so-noi-vu")
        if not browser.find_elements(By.CSS_SELECTOR, "tr[data-unit]"):
            pytest.skip("the province's page at / has no table of units yet "
                        "(tr[data-unit] … .tinh-trang): Sở Nội vụ's page is not built")
        try:
            status = browser.find_element(
                By.CSS_SELECTOR, f'tr[data-unit="{AGENCY}"] .tinh-trang').text
        except NoSuchElementException:
            pytest.fail(f"no row for {AGENCY} on the province's page:\n{pages.text()}")
        assert status.strip() in REPORTED, status
