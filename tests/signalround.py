"""One round of the signal test: start the reader in a real pty, press `s`, and signal it
the instant `★` is painted. Shared by the test and by anyone re-running the attack by hand."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from realterm import real_terminal

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


def star_and_signal(env: dict[str, str], signum: int) -> tuple[bool, int | None, bytes]:
    """(★ was painted, the exit status, what the screen got). The terminal is closed
    before a SIGHUP, as when its window is closed."""
    argv = [
        sys.executable,
        "-m",
        "paperterm",
        "--offline",
        "--date",
        str(SIGNAL_DAY),
        "--days",
        "1",
    ]
    with real_terminal(argv, env) as term:
        if not term.read_until(b"Paper number 0", 20.0):
            return False, None, term.screen
        # Let the first frame finish before the key: a key sent before the app reads
        # input would be lost, which is not what is tested.
        term.settle(0.3)
        term.type(b"s")
        painted = term.read_until(STAR, 10.0)
        if signum == signal.SIGHUP:
            term.close()
        os.killpg(term.proc.pid, signum)
        try:
            code: int | None = term.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            code = None
        return painted, code, term.screen
