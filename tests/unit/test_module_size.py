"""No source module grows past 400 lines: past that, a file holds more than one responsibility
and is split by them (CONTRIBUTING.md)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 400


def _sources() -> list[Path]:
    roots = [*ROOT.glob("services/*/src"), ROOT / "shared/src", ROOT / "web/src"]
    return [path for root in roots for path in root.rglob("*.py")]


def test_the_sources_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _sources()}
    assert "shared/src/shared/unit_of_work.py" in names
    assert "web/src/portal/app.py" in names


def test_no_source_module_is_over_400_lines() -> None:
    long = {
        p.relative_to(ROOT).as_posix(): n
        for p in _sources()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert long == {}
