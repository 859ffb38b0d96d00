"""The delivery tests' SMTP server: real, on 127.0.0.1, started for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import MailHandler, SmtpServer, free_port


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(MailHandler(), free_port())
    server.start()
    yield server
    server.stop()
