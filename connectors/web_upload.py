"""An upload from the web pages put into the agency's drop folder, ``inbox/<CODE>/``,
under a name the server chooses (the client's name is never used as a path), so that the
folder's own :class:`~tasks.intake.collect.Intake` takes it in like any dropped file.

The bytes are written to a ``.part`` name first (which a folder collection skips) and
renamed when complete, so a collection running at the same moment never sees half a file.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from dataclasses import replace
from datetime import datetime
from typing import BinaryIO

from config.folding import fold
from connectors.drop_folder import DropFolder
from tasks.model.records import InboxFile

# the suffixes an agency may upload (the intake reads these); anything else is refused
UPLOAD_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".json")


def upload_suffix(client_name: str) -> str | None:
    """The upload's suffix when the client's file name ends in one the intake reads."""
    lowered = client_name.strip().lower()
    return next((s for s in UPLOAD_SUFFIXES if lowered.endswith(s)), None)


def name_hint(client_name: str) -> str:
    """What of the client's file name the stored name keeps, so that the agency recognises
    its file on its page: the last part's stem folded to ``a-z``, ``0-9`` and single
    hyphens, at most 60 characters (``"../Báo cáo tháng 5.xlsx"`` → ``"bao-cao-thang-5"``).
    Never a path: no separator, no dot."""
    stem = re.split(r"[\\/]", client_name)[-1].rsplit(".", 1)[0]
    return re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")[:60].strip("-")


def place_upload(folder: DropFolder, agency_code: str, data: BinaryIO, suffix: str,
                 now: datetime, client_name: str = "") -> InboxFile:
    """Write ``data`` into ``inbox/<agency_code>/web-<time>-<random>[-<hint>]<suffix>``
    (the hint: :func:`name_hint` of the client's name) and list it as the folder lists a
    file, first seen ``now`` (its arrival time is the upload's)."""
    if suffix not in UPLOAD_SUFFIXES:
        raise ValueError(f"suffix not allowed: {suffix}")
    agency_dir = folder.inbox / agency_code
    agency_dir.mkdir(parents=True, exist_ok=True)
    hint = name_hint(client_name)
    name = (f"web-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
            f"{'-' + hint if hint else ''}{suffix}")
    partial = agency_dir / f".{name}.part"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(descriptor, "wb") as out:
        shutil.copyfileobj(data, out)
    target = agency_dir / name
    os.rename(partial, target)
    listed = next(item for item in folder.pending()
                  if item.path == target)
    return replace(listed, seen_at=now)
