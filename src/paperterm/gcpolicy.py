"""When the cyclic garbage collector runs, for a reader that must answer every key at once.

No Textual here: `run_reader` applies this before importing the UI, whose imports are most of
what start-up allocates.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections.abc import Iterator

YOUNG_COLLECTION_THRESHOLD = 20_000
"""Net allocations between young collections (Python's default: 700)."""
FULL_COLLECTION_THRESHOLD = 1_000
"""Young collections between full ones (Python's default: 10): full ones run when idle."""
IDLE_COLLECT_AFTER = 2.0
"""Seconds without a key before a pending full collection runs."""


def quiet() -> None:
    """Collect rarely from now on.

    A frame allocates ~100k short-lived objects. At the default young threshold the
    collector ran a dozen times per cursor move, each time over objects the frame was still
    using, and full collections, which walk every object made since the last freeze, came
    every few dozen moves (30-70 ms over Textual's caches). Before the first frame it is
    worse: importing Textual and building the screen make ~200k objects that live as long
    as the app, and default thresholds walked them several times over (~40 ms of a ~300 ms
    start-up). Young collections now run every 20,000 net allocations (GC time over 80
    moves: 190 -> 25 ms), and full ones wait for the reader to pause
    (`collect_if_idle`) or for `settle`.
    """
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, 10, FULL_COLLECTION_THRESHOLD)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection within: for a command that reads a long list once and writes
    it out (`list`, `export`). What it reads lives until it is written and holds no
    cycles, and the collector walked the records again and again as they loaded: 1.5-2 s
    of `list --json` over 98.8k papers, a third of its time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def freeze() -> None:
    """Move every object alive now out of the collector's sight: modules, classes, and the
    loaded papers live as long as the app, and no collection needs to walk them again."""
    gc.freeze()


def settle() -> None:
    """Once the papers are loaded: one full collection, then freeze what survived."""
    gc.collect()
    gc.freeze()
    quiet()


class IdleCollector:
    """Runs a pending full collection once no key has come for IDLE_COLLECT_AFTER, not
    in the middle of a run of keystrokes. One per process, as the collector is: every
    screen notes its input here."""

    def __init__(self) -> None:
        self.last_input = time.monotonic()
        self._holds = 0
        self._lock = threading.Lock()

    def note_input(self) -> None:
        self.last_input = time.monotonic()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """No idle collection within: while years of days load and the list is built of
        them, before `settle` collects once they are in. A full collection then walked
        the papers still loading, on the UI thread, before their count was painted (0.14 s
        at 98.8k papers, a second full collection beside the one `settle` makes)."""
        with self._lock:
            self._holds += 1
        try:
            yield
        finally:
            with self._lock:
                self._holds -= 1

    def collect_if_idle(self) -> None:
        if self._holds:
            return
        if gc.get_count()[2] and time.monotonic() - self.last_input >= IDLE_COLLECT_AFTER:
            gc.collect()


IDLE = IdleCollector()
