"""The state as its files hold it, read with tomllib, not through `StateStore`: what a
user (or another tool) would find on disk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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


def kill_9_after(code: str, path: Path, start: int, pause: float) -> list[str]:
    """Run a worker saving the state (`code`, given the state's path and a number to start
    from) until it prints "ready", let it save for `pause` seconds, then kill -9 it: the
    lines it printed after "ready"."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path), str(start)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(pause)
    os.kill(proc.pid, signal.SIGKILL)
    out, _ = proc.communicate()
    return out.splitlines()


def first_save_after(code: str, path: Path, start: int) -> float:
    """How long a worker (whose "saved" lines end in the seconds since "ready") takes to
    its first save on this machine, from a second of saves: a test's kills then land
    before it and after many saves on a fast machine and a slow one alike."""
    lines = kill_9_after(code, path, start, 1.0)
    saves = [float(line.split()[-1]) for line in lines if line.startswith("saved ")]
    assert saves, "the worker saved nothing in a second"
    return saves[0]
