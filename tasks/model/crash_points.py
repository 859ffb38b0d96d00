"""Named points where a test may kill the process, to prove a crash there is repaired.

``CCHC_KILL_AT=intake.after_commit`` makes :func:`crash_point` with that name send the
process a real ``SIGKILL`` (no cleanup, no ``finally``). Without the variable, or with
another name, the call does nothing. The variable is read at each call (never at import).

Points: ``intake.after_parse``, ``intake.after_claim``, ``intake.after_archive``,
``intake.after_commit``, ``report.claimed`` (a version claimed, its folder not yet
begun), ``report.writing``, ``outbox.publishing``, ``mail.after_send``.
"""

from __future__ import annotations

import os
import signal

KILL_AT_ENV = "CCHC_KILL_AT"
KILL_POINTS = ("intake.after_parse", "intake.after_claim", "intake.after_archive",
               "intake.after_commit", "report.claimed", "report.writing", "outbox.publishing",
               "mail.after_send")


def crash_point(name: str) -> None:
    """Kill this process with ``SIGKILL`` if ``CCHC_KILL_AT`` names this point."""
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
