"""What the web pages' tests share: the resources ``cchc web`` builds, over a real
workspace and database (SQLite, and PostgreSQL when set), the clock stopped at ``NOW``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config.settings import load_settings
from flows.resources import WebResources, build_web_resources
from tasks.model.clock import fixed_clock

NOW = datetime(2025, 5, 16, 3, 0, tzinfo=UTC)  # 16/5/2025 10:00 in Hà Nội; May due 18/5


@pytest.fixture
def web(tmp_path: Path, database_url: str) -> Iterator[WebResources]:
    settings = load_settings(workspace=tmp_path / "ws", database_url=database_url)
    resources = build_web_resources(settings, fixed_clock(NOW))
    yield resources
    resources.run.db.dispose()
