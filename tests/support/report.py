"""Figures a test run prints at its end (coverage of the security matrix, chaos counts...)."""

from __future__ import annotations

FIGURES: list[str] = []


def figure(line: str) -> None:
    """Print `line` in pytest's closing summary, where `-q` and captured output still show it."""
    FIGURES.append(line)
