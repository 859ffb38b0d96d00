"""Typed run settings, read from the environment (prefix ``CCHC_``) at run start.

Nothing here is read at import time: call :func:`load_settings` in a composition
root (a flow's start or a CLI command) and pass the result down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PeriodConvention = Literal["ministry", "calendar"]

REGISTRY_DIR = Path(__file__).resolve().parent / "data"


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
    timezone: str = "Asia/Ho_Chi_Minh"
    settle_seconds: float = Field(default=60, ge=0, description="A file modified less than "
                                  "this long ago is still being written: taken next run.")
    lock_timeout_seconds: float = Field(default=600, ge=0, description="How long a collection "
                                        "waits for another one in the same workspace.")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.workspace / 'cchc.db').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings now; keyword arguments override the environment."""
    clean = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**clean)  # type: ignore[arg-type]
