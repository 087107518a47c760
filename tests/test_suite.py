"""The suite's own settings (suite_order.py) name files that exist."""

from __future__ import annotations

from pathlib import Path

from suite_order import LONGEST_FIRST


def test_the_longest_files_named_first_exist() -> None:
    here = Path(__file__).parent
    assert [name for name in LONGEST_FIRST if not (here / name).is_file()] == []
    assert len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)
