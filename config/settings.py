"""Typed run settings, read from the environment (prefix ``CCHC_``) at run start.

Nothing here is read at import time: call :func:`load_settings` in a composition
root (a flow's start or a CLI command) and pass the result down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from config.portal_api import DEFAULT_PORTAL_API_CONFIG

PeriodConvention = Literal["ministry", "calendar"]

REGISTRY_DIR = Path(__file__).resolve().parent / "data"
# The province's time zone unless CCHC_TIMEZONE says otherwise: the one place it is written.
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


class Settings(BaseSettings):
    """Where the workspace and the database are, and the reporting rules in force."""

    model_config = SettingsConfigDict(env_prefix="CCHC_", extra="ignore")

    workspace: Path = Field(default=Path("workspace"))
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: a SQLite file cchc.db inside the workspace.",
    )
    registry_dir: Path = Field(default=REGISTRY_DIR)
    period_convention: PeriodConvention = Field(
        default="ministry",
        description="ministry: a month runs from the 15th of the previous month to the 14th; "
        "calendar: the 1st to the last day.",
    )
    due_day: int = Field(default=18, ge=1, le=28, description="Day of the closing month by which "
                         "agencies must submit.")
    timezone: str = DEFAULT_TIMEZONE
    settle_seconds: float = Field(default=60, ge=0, description="A file modified less than "
                                  "this long ago is still being written: taken next run.")
    lock_timeout_seconds: float = Field(default=600, ge=0, description="How long a collection "
                                        "waits for another one in the same workspace.")
    # the web pages (cchc web): the key that signs session cookies, and the upload limit
    web_secret: SecretStr | None = Field(default=None, description="Signs the web pages' "
                                         "session cookies; cchc web refuses to start without.")
    web_max_upload_mb: float = Field(default=20, gt=0, description="Largest file an agency "
                                     "may upload on the web pages (MB).")

    # the portal's statistics API (docs/portal-api.md); unset URL: exports only
    portal_api_url: str | None = Field(default=None, description="Base URL of the portal's "
                                       "statistics API; when set, each report asks it.")
    portal_api_token: SecretStr | None = Field(default=None, description="Bearer token.")
    portal_api_token_block: str | None = Field(
        default=None, description="Name of a Prefect Secret block holding the token "
        "(used when portal_api_token is not set).")
    portal_api_config: Path = Field(default=DEFAULT_PORTAL_API_CONFIG)
    portal_api_connect_timeout: float = Field(default=5.0, gt=0)
    portal_api_read_timeout: float = Field(default=30.0, gt=0)
    portal_api_retries: int = Field(default=4, ge=0, le=10, description="HTTP retries per "
                                    "request (5xx, 429, connection errors, timeouts).")
    portal_api_backoff: float = Field(default=1.0, ge=0, description="Backoff factor (s).")
    portal_api_max_retry_after: float = Field(default=120.0, ge=0)
    portal_api_task_retries: int = Field(default=1, ge=0, le=5, description="Prefect retries "
                                         "of the whole fetch, after the HTTP retries.")
    portal_api_task_retry_delay: float = Field(default=60.0, ge=0)
    portal_api_timeout: float = Field(default=600.0, gt=0, description="Limit (s) on one "
                                      "fetch of every page.")

    # The Word report's letterhead and signature (Nghị định 30/2020/NĐ-CP layout).
    doc_issuing_parent: str = Field(default="UBND TỈNH AN GIANG",
                                    description="Cơ quan chủ quản, chữ in hoa.")
    doc_issuing_body: str = Field(default="SỞ NỘI VỤ", description="Cơ quan ban hành, in hoa.")
    doc_issuing_name: str = Field(default="Sở Nội vụ",
                                  description="Tên cơ quan ban hành trong câu văn.")
    doc_number_prefix: str = Field(default="BC-SNV", description="Số: …/<tiền tố>.")
    doc_place: str = Field(default="An Giang", description="Địa danh ở dòng ngày tháng.")
    doc_signer_capacity: str = Field(default="GIÁM ĐỐC",
                                     description='Quyền hạn ký, ví dụ "KT. GIÁM ĐỐC".')
    doc_signer_title: str = Field(default="", description='Chức vụ người ký khi ký thay, '
                                  'ví dụ "PHÓ GIÁM ĐỐC".')
    doc_signer_name: str = Field(default="", description="Họ và tên người ký.")
    doc_recipients: list[str] | None = Field(
        default=None, description='Nơi nhận (JSON, ví dụ ["Bộ Nội vụ", "Lưu: VT, CCHC"]); '
        "mặc định: danh sách trong tasks/report/letterhead.py.")

    # --- mail delivery to Sở Nội vụ (SMTP); no smtp_host: the outbox copy is the delivery ---
    smtp_host: str | None = Field(default=None, description="SMTP server; unset: no e-mail.")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS.")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_password_block: str | None = Field(
        default=None, description="Name of a Prefect Secret block holding the SMTP password "
        "(read at run start instead of smtp_password).")
    smtp_timeout: float = Field(default=30.0, gt=0, description="Seconds per SMTP operation.")
    mail_sender: str | None = Field(default=None, description="From: address of the report mail.")
    mail_recipients: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Sở Nội vụ's addresses, comma-separated.")

    @field_validator("mail_recipients", mode="before")
    @classmethod
    def _split_recipients(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.workspace / 'cchc.db').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings now; keyword arguments override the environment."""
    clean = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**clean)  # type: ignore[arg-type]
