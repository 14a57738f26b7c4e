"""What the list shows: days in, rows out, through the filter, the sort and hide-read.

Pure and Textual-free, so the reader's hot path (a filter keystroke over ~10k papers) can be
measured and tested on its own.
"""

from __future__ import annotations

import operator
import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from functools import partial
from itertools import accumulate, chain, compress, repeat
from typing import Literal, NamedTuple, TypeVar, get_args, overload

from paperterm.model import Paper, by_votes_key
from paperterm.query import Mask, PaperFlags, Query, SearchIndex, index_text

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


class Row(NamedTuple):
    """One line of the list: a day header (paper is None) or a paper (one per paper
    listed). A named tuple, made in C when its line is read (`DayRows`): a frozen
    dataclass cost twice as much to make (its `__init__` sets each field through
    `object.__setattr__`)."""

    day: date
    paper: Paper | None = None
    shown: int = 0
    """For headers: papers shown under it."""
    day_papers: tuple[Paper, ...] = ()
    """For headers: every paper the day has, shown or not (unread counts are live)."""

    @property
    def is_header(self) -> bool:
        return self.paper is None


_Part = tuple[Row, Sequence[Row], Sequence[str], list[int] | None]
"""A day as listed: its header, its rows and their ids in the sort order, and which of
them are shown (None: all)."""


_Item = TypeVar("_Item")


class _ListView(Sequence[_Item]):
    """A read-only sequence read through something else, which indexes, slices and
    compares as the list it stands for; `_at` gives the item at a place."""

    __slots__ = ()

    def _at(self, index: int) -> _Item:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> _Item: ...
    @overload
    def __getitem__(self, index: slice) -> list[_Item]: ...
    def __getitem__(self, index: int | slice) -> _Item | list[_Item]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self)))]
        return self._at(index)

    def __eq__(self, other: object) -> bool:
        """Equal to a list (or a view) of the same items, as a list would be."""
        if not isinstance(other, list | _ListView):
            return False
        return len(self) == len(other) and all(map(operator.eq, self, other))

    __hash__ = None  # type: ignore[assignment]


class RowView(_ListView[Row]):
    """The list's rows, read through the days' own rows and the positions shown of each:
    a keystroke makes no list of rows (one of 98.8k rows cost 26 ms, each row object
    touched). A row is found by a bisection over the days."""

    __slots__ = ("_len", "_parts", "_starts", "ids")

    def __init__(self, parts: list[_Part]) -> None:
        self._parts = parts
        self._starts: list[int] = []
        size = 0
        for _, rows, _, picks in parts:
            self._starts.append(size)
            size += 1 + (len(rows) if picks is None else len(picks))
        self._len = size
        self.ids = IdView(self)
        """The rows' paper ids, "" for a header."""

    def __len__(self) -> int:
        return self._len

    def _place(self, index: int) -> tuple[int, int]:
        """The part a row is in, and its place in the part (0: the header)."""
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError("row index out of range")
        part = bisect_right(self._starts, index) - 1
        return part, index - self._starts[part]

    def _locate(self, index: int) -> tuple[_Part, int | None]:
        """A row's day, and the row's place among the day's rows (None: the header)."""
        part, at = self._place(index)
        entry = self._parts[part]
        picks = entry[3]
        return entry, None if not at else at - 1 if picks is None else picks[at - 1]

    def _at(self, index: int) -> Row:
        (header, rows, _, _), k = self._locate(index)
        return header if k is None else rows[k]

    def __iter__(self) -> Iterator[Row]:
        for header, rows, _, picks in self._parts:
            yield header
            yield from (rows if picks is None else map(rows.__getitem__, picks))


class IdView(_ListView[str]):
    """A `RowView`'s paper ids, "" for a header; `index` searches each day's ids in C."""

    __slots__ = ("_rows",)

    def __init__(self, rows: RowView) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def _at(self, index: int) -> str:
        (_, _, ids, _), k = self._rows._locate(index)
        return "" if k is None else ids[k]

    def __iter__(self) -> Iterator[str]:
        for _, _, ids, picks in self._rows._parts:
            yield ""
            yield from (ids if picks is None else map(ids.__getitem__, picks))

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        """The first row from `start` of a paper, by its id (headers are not looked for)."""
        rows = self._rows
        stop = len(rows) if stop is None else stop
        if not isinstance(value, str) or not value or start >= stop:
            raise ValueError(f"{value!r} is not listed")
        first = bisect_right(rows._starts, max(start, 0)) - 1
        for part in range(max(first, 0), len(rows._parts)):
            offset = rows._starts[part]
            if offset >= stop:
                break
            _, _, ids, picks = rows._parts[part]
            k = -1
            while True:
                try:
                    k = ids.index(value, k + 1)
                except ValueError:
                    break
                if picks is None:
                    at = k
                else:
                    at = bisect_left(picks, k)
                    if at == len(picks) or picks[at] != k:
                        continue
                where = offset + 1 + at
                if start <= where < stop:
                    return where
                if where >= stop:
                    break
        raise ValueError(f"{value!r} is not listed")


_ID = operator.attrgetter("id")
_TITLE = operator.attrgetter("title")
_VOTES = operator.attrgetter("upvotes")
_make_row = partial(tuple.__new__, Row)


def sort_order(papers: Sequence[Paper], sort: Sort) -> list[int]:
    """The places of the papers in this sort's order (a stable sort: ties keep theirs).

    By upvotes, the default and the order of a heavy user's whole list, it is two stable
    sorts keyed in C, by title then by votes, with no Python call per paper: the same
    order as sorting on `by_votes_key`, in a fifth of the time."""
    places = range(len(papers))
    if sort == "upvotes":
        titles = list(map(str.casefold, map(_TITLE, papers)))
        order = sorted(places, key=titles.__getitem__)
        order.sort(key=list(map(_VOTES, papers)).__getitem__, reverse=True)
        return order
    key = SORTS[sort][1]
    return sorted(places, key=lambda k: key(papers[k]))


class DayRows(_ListView[Row]):
    """A day's paper rows, in the order of its papers given, each made when it is read:
    the list holds the rows of every day loaded, 98.8k for a heavy user's years, and
    looks at those on screen (a Row apiece cost a tenth of the whole list's load)."""

    __slots__ = ("_day", "_papers")

    def __init__(self, day: date, papers: tuple[Paper, ...]) -> None:
        self._day = day
        self._papers = papers

    def __len__(self) -> int:
        return len(self._papers)

    def _at(self, index: int) -> Row:
        return _make_row((self._day, self._papers[index], 0, ()))

    def __iter__(self) -> Iterator[Row]:
        day = self._day
        return (_make_row((day, paper, 0, ())) for paper in self._papers)


_DayRows = tuple[DayRows, tuple[str, ...], tuple[int, ...] | None]
"""A day's rows in one sort order, their paper ids, and for each row the place of its paper
among the day's papers (None when the rows are in the papers' order)."""
_PlanDay = tuple[date, tuple[Paper, ...], DayRows, tuple[str, ...], tuple[int, ...] | None]
"""A day, its papers, and its `_DayRows`."""


class Listing:
    """Builds rows, remembering each day's rows in each sort order between calls.

    A filter keystroke then costs a `Mask` from the index and, per day it matches in, a
    bisection and a position per match: no sorting, no new Row objects, nothing per day
    it does not match in. The index holds the papers in the rows' order (it is reordered,
    not rebuilt, when the sort changes), so a day's matches are its rows as they are.
    """

    def __init__(self) -> None:
        self._sorted: dict[tuple[date, str], tuple[tuple[Paper, ...], _DayRows]] = {}
        self._index: SearchIndex | None = None
        """`_base` in the rows' order of `_index_sort`."""
        self._index_sort: Sort | None = None
        self._base: SearchIndex | None = None
        """Every day's papers, each day's in the order given: whole when `_base_whole`,
        else as listed, with their index texts as the cache keeps them."""
        self._base_whole = False
        self._index_of: list[tuple[Paper, ...]] = []
        self._index_lock = threading.Lock()
        self._plan: (
            tuple[
                Sort,
                list[tuple[Paper, ...]],
                list[tuple[date, tuple[Paper, ...]]],
                list[_PlanDay],
                list[int],
                int,
            ]
            | None
        ) = None
        self.listed_twice: frozenset[str] = frozenset()
        """Papers listed on more than one of the days (for `PaperList.set_rows`)."""
        self.row_ids: Sequence[str] = []
        """The last `build`'s rows' paper ids, "" for a header (for `PaperList.set_rows`)."""
        self.whole: Callable[[list[Paper]], list[Paper]] | None = None
        """How to get brief papers (`Paper.brief`) whole, for the search index: their
        texts are what a filter word looks in. Reads the cache: the index is built in a
        worker (`prepare`)."""
        self._whole_days: dict[date, tuple[tuple[Paper, ...], tuple[Paper, ...]]] = {}
        """Per day, its brief papers and those papers whole: a day refreshed is read
        again, the rest are not."""
        self.index_texts: Callable[[date, tuple[Paper, ...]], list[str] | None] | None = None
        """A brief day's index texts (`query.index_text` of each paper whole) as the cache
        keeps them, None when it keeps none for those papers: the index for plain words
        is made of them without reading the days whole (a sixth of the CPU, at 98.8k
        papers). A query that reads the texts themselves (`Query.needs_texts`) has the
        days read whole (`whole`). Reads the cache, as `whole` does."""
        self._texts_days: dict[date, tuple[tuple[Paper, ...], list[str]]] = {}

    def prepare(
        self, days: Iterable[tuple[date, tuple[Paper, ...]]], sort: Sort, *, whole: bool = False
    ) -> None:
        """Build the search index and the rows' places now (a worker calls it when the
        filter bar opens), so the first keystrokes do not; nobody pays for them who never
        filters. With `whole`, of the papers whole (for a query that `needs_texts`)."""
        ordered, plan, _, _ = self._plan_for(list(days), sort)
        self._search_index(ordered, plan, sort, whole=whole)

    def has_index(
        self, days: Iterable[tuple[date, tuple[Paper, ...]]], *, whole: bool = False
    ) -> bool:
        """Whether a filter over these days would find the index built, of whole papers
        when `whole` (else it waits for `prepare`, or builds it)."""
        ordered = sorted(days, key=lambda d: d[0], reverse=True)  # as `_plan_for` has them
        return self._base is not None and self._indexed(ordered) and (self._base_whole or not whole)

    @property
    def holds_whole(self) -> bool:
        """Whether the index last built is of the papers whole (for whichever days)."""
        return self._base is not None and self._base_whole

    def _indexed(self, days: list[tuple[date, tuple[Paper, ...]]]) -> bool:
        # Keyed on the day tuples themselves (held, compared by identity): a refreshed day
        # is a new tuple, so the index is rebuilt; an id() key could be reused by a new one.
        current = [papers for _, papers in days]
        return len(current) == len(self._index_of) and all(
            map(operator.is_, current, self._index_of)
        )

    def _search_index(
        self,
        days: list[tuple[date, tuple[Paper, ...]]],
        plan: list[_PlanDay],
        sort: Sort,
        *,
        whole: bool = False,
    ) -> SearchIndex:
        current = [papers for _, papers in days]
        with self._index_lock:  # the worker's build and a keystroke's wait for one build
            if self._base is None or not self._indexed(days) or (whole and not self._base_whole):
                self._base, self._base_whole = self._new_index(days, whole)
                self._index_of = current
                self._index = None
            if self._index is None or self._index_sort != sort:
                self._index = self._base.reordered(_row_order(plan))
                self._index_sort = sort
            return self._index

    def _new_index(
        self, days: list[tuple[date, tuple[Paper, ...]]], whole: bool
    ) -> tuple[SearchIndex, bool]:
        """The index of these days, and whether it holds them whole: each brief day's
        papers as listed with the texts the cache keeps, unless `whole` or it keeps none
        (then read whole, and their texts made)."""
        papers: list[Paper] = []
        texts: list[str] = []
        every_whole = True
        for day, listed in days:
            # Texts held from an index built before are used again beside the papers
            # whole: made anew they would be a second copy of every text.
            known = self._texts_of(day, listed, read=not whole)
            if known is None or whole:
                got = self._whole_of(day, listed)
                papers.extend(got)
                texts.extend(map(index_text, got) if known is None else known)
            else:
                papers.extend(listed)
                texts.extend(known)
                every_whole = False
        return SearchIndex(papers, texts), every_whole

    def _texts_of(self, day: date, papers: tuple[Paper, ...], *, read: bool) -> list[str] | None:
        """The day's index texts the cache keeps (read from it only when `read`; else
        only as held), or None: the papers are not brief, or it keeps none for them."""
        if self.index_texts is None or not any(p.brief for p in papers):
            return None
        known = self._texts_days.get(day)
        if known is not None and known[0] is papers:
            return known[1]
        if not read:
            return None
        texts = self.index_texts(day, papers)
        if texts is None or len(texts) != len(papers):
            return None
        self._texts_days[day] = (papers, texts)
        return texts

    def _whole_of(self, day: date, papers: tuple[Paper, ...]) -> tuple[Paper, ...]:
        if self.whole is None or not any(p.brief for p in papers):
            return papers
        known = self._whole_days.get(day)
        if known is None or known[0] is not papers:
            whole = tuple(self.whole(list(papers)))
            # The index's masks are read by position against the day's papers: a reader
            # that gave other papers back would shift every match after them.
            if [p.id for p in whole] != [p.id for p in papers]:
                whole = papers
            known = (papers, whole)
            self._whole_days[day] = known
        return known[1]

    def _day_rows(self, day: date, papers: tuple[Paper, ...], sort: Sort) -> _DayRows:
        cached = self._sorted.get((day, sort))
        if cached is not None and cached[0] is papers:
            return cached[1]
        order = sort_order(papers, sort)
        ordered = tuple(map(papers.__getitem__, order))
        rows = DayRows(day, ordered)
        ids = tuple(map(_ID, ordered))
        same = order == list(range(len(papers)))
        day_rows = (rows, ids, None if same else tuple(order))
        self._sorted[(day, sort)] = (papers, day_rows)
        return day_rows

    def _plan_for(
        self, days: list[tuple[date, tuple[Paper, ...]]], sort: Sort
    ) -> tuple[list[tuple[date, tuple[Paper, ...]]], list[_PlanDay], list[int], int]:
        """The days newest first with their rows in this sort, where each day's papers start
        among all the days' papers, and the papers in all: kept between keystrokes (the
        same day tuples, compared by identity, and the same sort), so a keystroke finds the
        days its mask matches in by bisection over their starts."""
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
            counts = Counter(chain.from_iterable(ids for _, _, _, ids, _ in plan))
            self.listed_twice = frozenset(i for i, n in counts.items() if n > 1)
            starts = list(accumulate((len(ps) for _, ps in ordered), initial=0))
            known = (sort, papers, ordered, plan, starts[:-1], starts[-1])
            self._plan = known
        return known[2], known[3], known[4], known[5]

    def build(
        self,
        days: Iterable[tuple[date, tuple[Paper, ...]]],
        flags: PaperFlags,
        *,
        query: Query | None = None,
        sort: Sort = "upvotes",
        hide_read: bool = False,
        keep: frozenset[str] = frozenset(),
    ) -> tuple[RowView, int, int]:
        """Rows for the given days (newest first), plus (papers shown, papers in all); the
        rows' paper ids ("" for a header) are left in `row_ids`.

        `keep` holds ids that stay visible under hide-read (the paper the cursor is on, so
        it does not vanish the moment it is marked read).
        """
        ordered, plan, starts, total = self._plan_for(list(days), sort)
        chosen: Iterable[tuple[_PlanDay, list[int] | None]]
        if query is None or query.is_empty:
            chosen = zip(plan, repeat(None))
        else:
            # The index holds the days in this order, each day's papers in its rows' order:
            # a day's matches are a slice of the mask, and its picks are their places.
            index = self._search_index(ordered, plan, sort, whole=query.needs_texts)
            mask = query.matching_mask(index, flags)
            chosen = zip(plan, repeat(None)) if mask is None else _matched(plan, starts, mask)
        is_read = flags.is_read
        parts: list[_Part] = []
        shown = 0
        for (day, papers, visible, ids, _), picks in chosen:
            if hide_read:
                kept = range(len(ids)) if picks is None else picks
                picks = [k for k in kept if not is_read(ids[k]) or ids[k] in keep]
            count = len(ids) if picks is None else len(picks)
            if not count:
                continue
            parts.append((Row(day, None, count, papers), visible, ids, picks))
            shown += count
        rows = RowView(parts)
        self.row_ids = rows.ids
        return rows, shown, total


def _row_order(plan: list[_PlanDay]) -> list[int]:
    """For each row of the plan's papers in turn, its paper's place among all the days'
    papers in the order given."""
    order: list[int] = []
    start = 0
    for _, papers, _, _, day_order in plan:
        if day_order is None:
            order.extend(range(start, start + len(papers)))
        else:
            order.extend(map(start.__add__, day_order))
        start += len(papers)
    return order


def _matched(
    plan: list[_PlanDay], starts: list[int], mask: Mask
) -> Iterator[tuple[_PlanDay, list[int] | None]]:
    """The days with a match, each with its matching rows' places (None: all its
    rows): from one match to the next by memchr, the day it is in by bisection, so
    the days without one cost nothing."""
    find = mask.find
    at = find(1)
    while at != -1:
        part = bisect_right(starts, at) - 1
        entry = plan[part]
        start = starts[part]
        end = start + len(entry[1])
        if find(0, start, end) == -1:
            yield entry, None
        else:
            yield entry, list(compress(range(end - start), mask[start:end]))
        at = find(1, end)
