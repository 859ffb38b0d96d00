"""What an agency has sent, as its own page shows it: each file accepted or rejected,
with the port that reads them (:class:`AgencyFileSource`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from tasks.model.problems import Problem


@dataclass(frozen=True)
class AgencyFile:
    """One file of an agency, accepted (``current``: the one counted for its period) or
    rejected (its receipt's problems, as stored: the first ones listed)."""

    period: str | None  # None: a rejected file whose period could not be read
    file_name: str
    arrived_at: datetime
    outcome: Literal["accepted", "rejected"]
    current: bool = False
    problems: tuple[Problem, ...] = ()
    # an accepted file whose figures look odd: its warning receipt's text (figures to check)
    warning_receipt: str | None = None


class AgencyFileSource(Protocol):
    """Reads every file one agency sent (satisfied by ``connectors.agency_files``)."""

    def files_of(self, agency_code: str) -> list[AgencyFile]: ...
