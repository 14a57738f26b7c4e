"""Tracebacks of failures, kept in a log file in the user cache dir, not on the screen.

The user is told in one line what failed and where the details are; the traceback is for
a bug report. The log is capped: it keeps the newest failures.
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path

from paperterm import paths

MAX_LOG = 256 * 1024


def log_path() -> Path:
    return paths.cache_dir() / "errors.log"


def record(error: BaseException | None, what: str) -> str:
    """Append `error`'s traceback to the log; returns where it went (or why it did not)."""
    import traceback  # only when something failed

    path = log_path()
    lines = traceback.format_exception(error) if error is not None else ["(no exception)\n"]
    entry = f"--- {datetime.now(UTC):%Y-%m-%d %H:%M:%S}Z {what}\n{''.join(lines)}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            if path.stat().st_size > MAX_LOG:
                old = path.read_bytes()[-MAX_LOG // 2 :]
                path.write_bytes(old)
        with open(path, "a", encoding="utf-8", errors="replace") as handle:
            handle.write(entry)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as problem:
        return f"(the log {path} could not be written: {problem.strerror or problem})"
    return str(path)
