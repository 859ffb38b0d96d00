"""The clock: the one way code that needs the current time is given it.

Every resource, step and intake takes a :data:`Clock` (built once, in the composition root
``flows/resources.py``) rather than calling ``datetime.now`` itself, so that a test or the
demo can run at a time of its choosing (the demo collects each file at its planned time).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware (UTC)."""


def system_clock() -> datetime:
    """The machine's time, in UTC."""
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """A clock stopped at ``at`` (the demo's planned collection times, tests)."""
    return lambda: at
