"""What the list shows: days in, rows out, through the filter, the sort and hide-read.

Pure and Textual-free, so the reader's hot path (a filter keystroke over ~10k papers) can be
measured and tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from paperterm.model import Paper
from paperterm.query import PaperFlags, Query

SORTS: dict[str, tuple[str, Callable[[Paper], tuple[object, ...]]]] = {
    "upvotes": ("upvotes", lambda p: (-p.upvotes, p.title.casefold())),
    "stars": ("GitHub stars", lambda p: (-(p.github_stars or -1), -p.upvotes)),
    "comments": ("comments", lambda p: (-p.comments, -p.upvotes)),
    "published": (
        "arXiv date",
        lambda p: (-(p.published or datetime.min.replace(tzinfo=UTC)).timestamp(), -p.upvotes),
    ),
    "title": ("title", lambda p: (p.title.casefold(),)),
}
SORT_ORDER = list(SORTS)


@dataclass(frozen=True)
class Row:
    """One line of the list: a day header (paper is None) or a paper."""

    day: date
    paper: Paper | None = None
    count: int = 0
    """For headers: papers shown under it."""
    day_papers: tuple[Paper, ...] = ()
    """For headers: every paper the day has, shown or not (unread counts are live)."""

    @property
    def is_header(self) -> bool:
        return self.paper is None


def build_rows(
    days: Iterable[tuple[date, tuple[Paper, ...]]],
    flags: PaperFlags,
    *,
    query: Query | None = None,
    sort: str = "upvotes",
    hide_read: bool = False,
    keep: frozenset[str] = frozenset(),
) -> tuple[list[Row], int, int]:
    """Rows for the given days (newest first), plus (papers shown, papers in all).

    `keep` holds ids that stay visible under hide-read (the paper the cursor is on, so it
    does not vanish the moment it is marked read).
    """
    key = SORTS[sort][1]
    rows: list[Row] = []
    shown = total = 0
    for day, papers in sorted(days, key=lambda d: d[0], reverse=True):
        total += len(papers)
        visible = [
            p
            for p in papers
            if (query is None or query.matches(p, flags))
            and (not hide_read or not flags.is_read(p.id) or p.id in keep)
        ]
        if not visible:
            continue
        visible.sort(key=key)
        rows.append(Row(day, None, len(visible), papers))
        rows.extend(Row(day, p) for p in visible)
        shown += len(visible)
    return rows, shown, total
