"""What the list shows: days in, rows out, through the filter, the sort and hide-read.

Pure and Textual-free, so the reader's hot path (a filter keystroke over ~10k papers) can be
measured and tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal, get_args

from paperterm.model import Paper
from paperterm.query import PaperFlags, Query, SearchIndex

Sort = Literal["upvotes", "stars", "comments", "published", "title", "site"]

SORTS: dict[Sort, tuple[str, Callable[[Paper], tuple[object, ...]]]] = {
    "upvotes": ("upvotes", lambda p: (-p.upvotes, p.title.casefold())),
    "stars": ("GitHub stars", lambda p: (-(p.github_stars or -1), -p.upvotes)),
    "comments": ("comments", lambda p: (-p.comments, -p.upvotes)),
    "published": (
        "arXiv date",
        lambda p: (-(p.published or datetime.min.replace(tzinfo=UTC)).timestamp(), -p.upvotes),
    ),
    "title": ("title", lambda p: (p.title.casefold(),)),
    # The order the site gave (relevance for a search, rank for trending): a stable sort
    # on a constant key keeps it.
    "site": ("the site's order", lambda p: ()),
}
SORT_ORDER: list[Sort] = [s for s in get_args(Sort) if s != "site"]
"""What S cycles through for days (whose API order means nothing)."""
LIST_SORT_ORDER: list[Sort] = ["site", *SORT_ORDER]
"""... and for a search or trending, which start in the site's order."""


def as_sort(value: object) -> Sort | None:
    """The sort a stored or configured value names, if it names one."""
    return next((s for s in SORT_ORDER if s == value), None)


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


class Listing:
    """Builds rows, remembering each day's rows in each sort order between calls.

    A filter keystroke over ~10,000 papers then costs one predicate call per paper and a
    list comprehension: no sorting, no new Row objects.
    """

    def __init__(self) -> None:
        self._sorted: dict[
            tuple[date, str], tuple[tuple[Paper, ...], list[Row], tuple[str, ...]]
        ] = {}
        self._index: SearchIndex | None = None
        self._index_of: list[tuple[Paper, ...]] = []

    def _search_index(self, days: list[tuple[date, tuple[Paper, ...]]]) -> SearchIndex:
        # Keyed on the day tuples themselves (held, compared by identity): a refreshed day
        # is a new tuple, so the index is rebuilt; an id() key could be reused by a new one.
        current = [papers for _, papers in days]
        same = len(current) == len(self._index_of) and all(
            a is b for a, b in zip(current, self._index_of, strict=True)
        )
        if self._index is None or not same:
            self._index = SearchIndex([p for papers in current for p in papers])
            self._index_of = current
        return self._index

    def _day_rows(
        self, day: date, papers: tuple[Paper, ...], sort: Sort
    ) -> tuple[list[Row], tuple[str, ...]]:
        """A day's rows in this sort order, and their paper ids in the same order."""
        cached = self._sorted.get((day, sort))
        if cached is not None and cached[0] is papers:
            return cached[1], cached[2]
        rows = [Row(day, p) for p in sorted(papers, key=SORTS[sort][1])]
        ids = tuple(r.paper.id for r in rows)  # type: ignore[union-attr]
        self._sorted[(day, sort)] = (papers, rows, ids)
        return rows, ids

    def build(
        self,
        days: Iterable[tuple[date, tuple[Paper, ...]]],
        flags: PaperFlags,
        *,
        query: Query | None = None,
        sort: Sort = "upvotes",
        hide_read: bool = False,
        keep: frozenset[str] = frozenset(),
    ) -> tuple[list[Row], int, int]:
        """Rows for the given days (newest first), plus (papers shown, papers in all).

        `keep` holds ids that stay visible under hide-read (the paper the cursor is on, so
        it does not vanish the moment it is marked read).
        """
        ordered = sorted(days, key=lambda d: d[0], reverse=True)
        ok: set[str] | None = None
        if query is not None and not query.is_empty:
            # Sets of ids from the index: plain words cost a set lookup per paper, and each
            # term is looked for only among the papers the earlier ones left.
            ok = query.matching_ids(self._search_index(ordered), flags)
        is_read = flags.is_read
        rows: list[Row] = []
        shown = total = 0
        for day, papers in ordered:
            total += len(papers)
            visible, ids = self._day_rows(day, papers, sort)
            if ok is not None:
                if ok.isdisjoint(ids):  # most days, for a query of a few words: one C call
                    continue
                visible = [r for r, i in zip(visible, ids, strict=True) if i in ok]
            if hide_read:
                visible = [
                    r
                    for r in visible
                    if not is_read(r.paper.id) or r.paper.id in keep  # type: ignore[union-attr]
                ]
            if not visible:
                continue
            rows.append(Row(day, None, len(visible), papers))
            rows.extend(visible)
            shown += len(visible)
        return rows, shown, total
