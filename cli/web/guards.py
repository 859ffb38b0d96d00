"""What protects the web pages besides the accounts: CSRF tokens bound to the session,
a per-client rate limit, and the upload's size cap applied while the body arrives."""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import MutableMapping
from typing import Any

from starlette.types import Message, Receive

from config.errors import CchcError

CSRF_KEY = "csrf"


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token (made on first use); every form carries it."""
    token = session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_KEY] = token
    return token


def csrf_ok(session: MutableMapping[str, Any], sent: object) -> bool:
    token = session.get(CSRF_KEY)
    return isinstance(token, str) and isinstance(sent, str) \
        and secrets.compare_digest(token, sent)


class RateLimit:
    """At most ``limit`` requests per ``window`` seconds for each key (client address)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True


class BodyTooLarge(CchcError, ValueError):
    """The request body went past the cap while it was being received (answered 413 with
    a Vietnamese page, never shown itself)."""


def capped(receive: Receive, cap: int) -> Receive:
    """``receive`` that raises :class:`BodyTooLarge` as soon as more than ``cap`` bytes of
    body have arrived (whatever Content-Length said)."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise BodyTooLarge
        return message

    return wrapped
