"""What the list shows: days in, rows out, through the filter, the sort and hide-read.

Pure and Textual-free, so the reader's hot path (a filter keystroke over ~10k papers) can be
measured and tested on its own.
"""

from __future__ import annotations

import operator
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import chain, compress
from typing import Literal, get_args

from paperterm.model import Paper, by_votes_key
from paperterm.query import PaperFlags, Query, SearchIndex

Sort = Literal["upvotes", "stars", "comments", "published", "title", "site"]

SORTS: dict[Sort, tuple[str, Callable[[Paper], tuple[object, ...]]]] = {
    "upvotes": ("upvotes", by_votes_key),
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


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the list: a day header (paper is None) or a paper (one per paper
    listed: slots, 64 bytes rather than ~150)."""

    day: date
    paper: Paper | None = None
    count: int = 0
    """For headers: papers shown under it."""
    day_papers: tuple[Paper, ...] = ()
    """For headers: every paper the day has, shown or not (unread counts are live)."""

    @property
    def is_header(self) -> bool:
        return self.paper is None


_PlanDay = tuple[date, tuple[Paper, ...], list[Row], tuple[str, ...]]
"""A day, its papers, and its rows and their ids in one sort order."""


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
        self._index_lock = threading.Lock()
        self._plan: (
            tuple[
                Sort,
                list[tuple[Paper, ...]],
                list[tuple[date, tuple[Paper, ...]]],
                list[_PlanDay],
                int,
            ]
            | None
        ) = None
        self._where: tuple[list[_PlanDay], dict[str, list[tuple[int, int]]]] | None = None
        self.listed_twice: frozenset[str] = frozenset()
        """Papers listed on more than one of the days (for `PaperList.set_rows`)."""
        self.row_ids: list[str] = []
        """The last `build`'s rows' paper ids, "" for a header (for `PaperList.set_rows`)."""
        self.whole: Callable[[list[Paper]], list[Paper]] | None = None
        """How to get brief papers (`Paper.brief`) whole, for the search index: their
        texts are what a filter word looks in. Reads the cache: the index is built in a
        worker (`prepare`)."""
        self._whole_days: dict[date, tuple[tuple[Paper, ...], tuple[Paper, ...]]] = {}
        """Per day, its brief papers and those papers whole: a day refreshed is read
        again, the rest are not."""

    def prepare(self, days: Iterable[tuple[date, tuple[Paper, ...]]], sort: Sort) -> None:
        """Build the search index and the rows' places now (a worker calls it when the
        filter bar opens), so the first keystrokes do not; nobody pays for them who never
        filters."""
        ordered, plan, _ = self._plan_for(list(days), sort)
        self._search_index(ordered)
        self._where_for(plan)

    def _search_index(self, days: list[tuple[date, tuple[Paper, ...]]]) -> SearchIndex:
        # Keyed on the day tuples themselves (held, compared by identity): a refreshed day
        # is a new tuple, so the index is rebuilt; an id() key could be reused by a new one.
        current = [papers for _, papers in days]
        with self._index_lock:  # the worker's build and a keystroke's wait for one build
            same = len(current) == len(self._index_of) and all(
                a is b for a, b in zip(current, self._index_of, strict=True)
            )
            if self._index is None or not same:
                whole = [p for day, papers in days for p in self._whole_of(day, papers)]
                self._index = SearchIndex(whole)
                self._index_of = current
            return self._index

    def _whole_of(self, day: date, papers: tuple[Paper, ...]) -> tuple[Paper, ...]:
        if self.whole is None or not any(p.brief for p in papers):
            return papers
        known = self._whole_days.get(day)
        if known is None or known[0] is not papers:
            known = (papers, tuple(self.whole(list(papers))))
            self._whole_days[day] = known
        return known[1]

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

    def _plan_for(
        self, days: list[tuple[date, tuple[Paper, ...]]], sort: Sort
    ) -> tuple[list[tuple[date, tuple[Paper, ...]]], list[_PlanDay], int]:
        """The days newest first with their rows in this sort, and the papers in all: kept
        between keystrokes (the same day tuples, compared by identity, and the same sort),
        so a keystroke's walk over the days is a set test per day."""
        papers = [p for _, p in days]
        known = self._plan
        if (
            known is None
            or known[0] != sort
            or len(known[1]) != len(papers)
            or not all(map(operator.is_, papers, known[1]))
        ):
            ordered = sorted(days, key=lambda d: d[0], reverse=True)
            plan = [(day, ps, *self._day_rows(day, ps, sort)) for day, ps in ordered]
            counts = Counter(chain.from_iterable(ids for *_, ids in plan))
            self.listed_twice = frozenset(i for i, n in counts.items() if n > 1)
            known = (sort, papers, ordered, plan, sum(len(ps) for ps in papers))
            self._plan = known
        return known[2], known[3], known[4]

    def _matching_days(
        self, plan: list[_PlanDay], ok: set[str] | None, total: int
    ) -> Iterator[tuple[date, tuple[Paper, ...], list[Row], tuple[str, ...], list[int] | None]]:
        """The plan's days, each with the positions of its matching rows when the matches
        are few: then a keystroke's work is bounded by the matches (each found through
        `_where`), not by the list. Else every day, its rows tested in C."""
        if ok is None or len(ok) * 20 >= total:  # measured: the C test per row wins above 5%
            for entry in plan:
                yield (*entry, None)
            return
        where = self._where_for(plan)
        hits: dict[int, list[int]] = {}
        for paper_id in ok:
            for day_index, position in where.get(paper_id, ()):
                hits.setdefault(day_index, []).append(position)
        for day_index in sorted(hits):
            yield (*plan[day_index], sorted(hits[day_index]))

    def _where_for(self, plan: list[_PlanDay]) -> dict[str, list[tuple[int, int]]]:
        """Each paper's (day, row) places in the plan: built once per plan, when a query
        with few matches first needs it."""
        if self._where is None or self._where[0] is not plan:
            where: dict[str, list[tuple[int, int]]] = {}
            for day_index, (_, _, _, ids) in enumerate(plan):
                for position, paper_id in enumerate(ids):
                    where.setdefault(paper_id, []).append((day_index, position))
            self._where = (plan, where)
        return self._where[1]

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
        """Rows for the given days (newest first), plus (papers shown, papers in all); the
        rows' paper ids ("" for a header) are left in `row_ids`.

        `keep` holds ids that stay visible under hide-read (the paper the cursor is on, so
        it does not vanish the moment it is marked read).
        """
        ordered, plan, total = self._plan_for(list(days), sort)
        ok: set[str] | None = None
        if query is not None and not query.is_empty:
            # Sets of ids from the index: plain words cost a set lookup per paper, and each
            # term is looked for only among the papers the earlier ones left.
            ok = query.matching_ids(self._search_index(ordered), flags)
        is_read = flags.is_read
        rows: list[Row] = []
        row_ids: list[str] = []
        shown = 0
        for day, papers, visible, ids, hits in self._matching_days(plan, ok, total):
            shown_ids: Sequence[str] = ids
            if hits is not None:
                visible = [visible[k] for k in hits]
                shown_ids = [ids[k] for k in hits]
            elif ok is not None:
                if ok.isdisjoint(ids):  # most days, for a query of a few words: one C call
                    continue
                # In C (map, compress): a comprehension here was a third of a keystroke.
                wanted = list(map(ok.__contains__, ids))
                visible = list(compress(visible, wanted))
                shown_ids = list(compress(ids, wanted))
            if hide_read:
                wanted = [not is_read(i) or i in keep for i in shown_ids]
                visible = list(compress(visible, wanted))
                shown_ids = list(compress(shown_ids, wanted))
            if not visible:
                continue
            rows.append(Row(day, None, len(visible), papers))
            rows.extend(visible)
            row_ids.append("")
            row_ids.extend(shown_ids)
            shown += len(visible)
        self.row_ids = row_ids
        return rows, shown, total
