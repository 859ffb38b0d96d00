"""Writing a report file so that a reader never sees half of it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def save_atomically(path: Path, save: Callable[[str], object]) -> Path:
    """Call ``save`` with a temporary name beside ``path``, then move the file into place
    (a rerun replaces it; a failure leaves no temporary file behind)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        save(temp_name)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path
