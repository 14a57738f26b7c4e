"""The state as its files hold it, read with tomllib, not through `StateStore`: what a
user (or another tool) would find on disk."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def on_disk(path: Path) -> dict[str, Any]:
    """The index's keys, with [read] and [starred] gathered from every month file."""
    doc = tomllib.loads(path.read_text()) if path.exists() else {}
    read: dict[str, Any] = dict(doc.get("read", {}))
    starred: dict[str, Any] = dict(doc.get("starred", {}))
    for month in sorted(path.with_name(path.stem).glob("*.toml")):
        marks = tomllib.loads(month.read_text())
        read.update(marks.get("read", {}))
        starred.update(marks.get("starred", {}))
    doc["read"], doc["starred"] = read, starred
    return doc
