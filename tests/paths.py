"""Where the tests find the checkout and their hand-written fixtures, whatever folder of
``tests/`` a test file sits in (so moving a test file never breaks its paths)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
