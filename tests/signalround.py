"""One round of the signal test: start the reader in a real pty, press `s`, and signal it
the instant `★` is painted. Shared by the test and by anyone re-running the attack by hand."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from paperterm.cache import DayCache
from paperterm.scrape import parse_api, parse_page

SIGNAL_DAY = date(2024, 8, 1)
STAR = "★".encode()


def signal_day_items() -> list[dict[str, object]]:
    """Five plain papers, none with GitHub stars: the only ★ on screen is the user's."""
    items = []
    for i in range(5):
        items.append(
            {
                "paper": {
                    "id": f"2408.0{i:04d}",
                    "title": f"Paper number {i} about durable state",
                    "summary": "An abstract that says nothing much. " * 3,
                    "authors": [{"name": "A. Author"}],
                    "upvotes": 50 - i,
                    "publishedAt": "2024-07-31T00:00:00.000Z",
                    "submittedOnDailyAt": "2024-08-01T00:00:00.000Z",
                },
                "numComments": 0,
            }
        )
    return items


def seed_signal_cache(cache_dir: Path) -> None:
    body = json.dumps(signal_day_items()).encode()
    cache = DayCache(cache_dir, {"page": parse_page, "api": parse_api})
    papers = parse_api(body, SIGNAL_DAY).papers
    cache.store(SIGNAL_DAY, "api", body, papers, fetched_at=datetime.now(UTC), empty=False)


def _read_until(fd: int, needle: bytes, seconds: float, seen: bytes = b"") -> bytes:
    out = seen
    end = time.monotonic() + seconds
    while needle not in out and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def star_and_signal(env: dict[str, str], signum: int) -> tuple[bool, int | None, bytes]:
    """(★ was painted, the exit status, what the screen got). The terminal is closed
    before a SIGHUP, as when its window is closed."""
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperterm", "--offline", "--date", str(SIGNAL_DAY), "--days", "1"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**env, "TERM": "xterm-256color"},
        start_new_session=True,
    )
    os.close(slave)
    closed = False
    try:
        screen = _read_until(master, b"Paper number 0", 20.0)
        # Let the first frame finish before the key: a key sent before the app reads
        # input would be lost, which is not what is tested.
        screen = _read_until(master, b"\x00never", 0.3, screen)
        if b"Paper number 0" not in screen:
            return False, None, screen
        os.write(master, b"s")
        screen = _read_until(master, STAR, 10.0, screen)
        painted = STAR in screen
        if signum == signal.SIGHUP:
            os.close(master)
            closed = True
        os.killpg(proc.pid, signum)
        try:
            code = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            code = None
        return painted, code, screen
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if not closed:
            os.close(master)
