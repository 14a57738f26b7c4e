"""What the user's list showed in earlier visits: which papers, and their votes then.

It drives "new since last visit" and the "▲+42" movement marks. It is derived data, not
the user's own (that is state.toml), so it is kept as JSON, written atomically, and a lost
or damaged file only means no ✦ marks for one visit.
"""

from __future__ import annotations

import contextlib
import json
import operator
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import compress
from pathlib import Path

from paperterm import jsonio
from paperterm.fsutil import atomic_write
from paperterm.model import Paper

MAX_PAPERS = 50_000

_ID = operator.attrgetter("id")
_VOTES = operator.attrgetter("upvotes")
_DAY = operator.attrgetter("day")
_SNAPSHOT = operator.attrgetter("upvotes", "github_stars")


def _listed(papers: Iterable[Paper]) -> Sequence[Paper]:
    """The papers as a sequence, to be read more than once (a tuple or list as it is)."""
    return papers if isinstance(papers, tuple | list) else list(papers)


Snapshot = tuple[int, int | None]
"""What a visit saw of a paper: its upvotes and GitHub stars. A plain pair, one per paper
loaded each time its day is: 98.8k of them for a heavy user's list, where a frozen
dataclass cost 1.6 us apiece here and a pair 0.04 us."""


class SeenStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.before: dict[str, Snapshot] = {}
        """What earlier visits saw: comparisons this session are made against it."""
        self.before_days: set[date] = set()
        self.now: dict[str, Snapshot] = {}
        self.now_days: set[date] = set()
        self.since: date | None = None
        """Papers of days from this one on are new if unseen; the app sets it to the day of
        the last visit. Older days count only if they had been seen (and grew since)."""
        self.problem: str | None = None

    def load(self) -> SeenStore:
        try:
            raw = jsonio.loads(self.path.read_bytes())
            papers = raw["papers"] if isinstance(raw, dict) else {}
            for pid, value in papers.items():
                if isinstance(value, list) and value and isinstance(value[0], int):
                    stars = value[1] if len(value) > 1 and isinstance(value[1], int) else None
                    self.before[pid] = (value[0], stars)
            for text in raw.get("days", []) if isinstance(raw, dict) else []:
                with contextlib.suppress(ValueError, TypeError):
                    self.before_days.add(date.fromisoformat(text))
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, AttributeError, TypeError) as error:
            self.problem = f"{self.path.name} unreadable ({error}); new-paper marks start afresh"
        self.now = dict(self.before)
        self.now_days = set(self.before_days)
        return self

    @property
    def has_history(self) -> bool:
        return bool(self.before)

    def is_new(self, paper: Paper) -> bool:
        """Listed since the last visit: a paper never seen, on a day after the last visit or
        on a day that was seen then and has grown since."""
        if not self.has_history or paper.id in self.before:
            return False
        return paper.day in self.before_days or (self.since is not None and paper.day >= self.since)

    def movement(self, paper: Paper) -> int | None:
        old = self.before.get(paper.id)
        if old is None or paper.upvotes <= old[0]:
            return None
        return paper.upvotes - old[0]

    def count_new(self, papers: Iterable[Paper]) -> int:
        """How many of these are new (`is_new`); none on a first visit, without a look."""
        if not self.has_history:
            return 0
        listed = _listed(papers)
        # Only a paper never seen can be new: the rest are passed over in C.
        seen = map(self.before.__contains__, map(_ID, listed))
        return sum(map(self.is_new, compress(listed, map(operator.not_, seen))))

    def largest_movement(self, papers: Iterable[Paper]) -> int:
        """The largest `movement` among these papers, 0 for none."""
        if not self.before:
            return 0
        listed = _listed(papers)
        olds = map(self.before.get, map(_ID, listed))
        gains = (
            votes - old[0]
            for votes, old in zip(map(_VOTES, listed), olds, strict=True)
            if old is not None and votes > old[0]
        )
        return max(gains, default=0)

    def record(self, papers: Iterable[Paper]) -> None:
        listed = _listed(papers)
        # In C, without a Python step per paper: a first load records 98.8k of them.
        self.now.update(zip(map(_ID, listed), map(_SNAPSHOT, listed), strict=True))
        self.now_days.update(map(_DAY, listed))

    def save(self) -> None:
        items = list(self.now.items())[-MAX_PAPERS:]
        payload = {
            "version": 1,
            "days": sorted(d.isoformat() for d in self.now_days)[-2000:],
            "papers": {
                pid: [votes, stars] if stars is not None else [votes]
                for pid, (votes, stars) in items
            },
        }
        with contextlib.suppress(OSError):
            atomic_write(self.path, json.dumps(payload, separators=(",", ":")).encode())
