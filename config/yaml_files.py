"""Reading the project's YAML files: safe loading, with PyYAML's C parser when it is built.

The registries (136 units, the communes, the task register, the crosswalk) are read at the
start of every run; the C parser reads them about ten times faster than the pure-Python one
and accepts exactly the same documents.
"""

from __future__ import annotations

from pathlib import Path

import yaml

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> object:
    """The document in ``path`` (``OSError`` or ``yaml.YAMLError`` when it cannot be read)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
