"""The JSON form of report data, shared by the fingerprint and a version's files.

Dates and times are written as ISO 8601 text in both, so that what the manifest records
and what the fingerprint hashes cannot drift apart.
"""

from __future__ import annotations

import json
from datetime import date, datetime


def _default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def canonical_json(data: object) -> bytes:
    """``data`` with sorted keys and no spacing choices: the same data, the same bytes."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=_default).encode()


def readable_json(data: object) -> str:
    """``data`` indented, Vietnamese kept as written, for files a person opens."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n"
