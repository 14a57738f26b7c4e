"""The site's other ways in, as lists of papers: search, a week, a month, trending.

No Textual. Each is a `ListSpec` (what to ask for) and comes back as a `ListResult` (the
papers, how old they are, and what went wrong), through the one polite client, with the
raw answer cached beside the days (`lists/<kind>/<key>.json`): a failed or offline load
shows the last good answer with its age, and a bad answer never replaces a good one.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from paperterm import jsonio
from paperterm.errors import FetchError
from paperterm.fsutil import write_cache_file
from paperterm.model import Paper
from paperterm.scrape import (
    PARSER_VERSION,
    ScrapeError,
    _dict,
    api_items,
    paper_from_item,
    parse_date,
)
from paperterm.state import StateStore
from paperterm.text import clean_line

ListKind = Literal["search", "week", "month", "trending"]
ListStatus = Literal["ok", "empty", "error", "missing"]

PAGE = 100
MAX_PAGES = 20
"""A month is about 1,500 papers: 15 pages of 100."""
SEARCH_LIMIT = 100
PERIODS_FROM = date(2025, 9, 1)
"""The API answers week= and month= from about here on; before, a period is built from
its days."""
FRESH = {"search": timedelta(hours=1), "trending": timedelta(minutes=15)}
CURRENT_FRESH = timedelta(minutes=15)
"""A week or month still under way is revalidated like today's day; a past one settles."""
MAX_HIGHLIGHTS = 60
MEMORY = 8
"""List answers kept in memory: switching back to a feed costs no read and no parse."""

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    """A week or month that is not written as 2026-W34 or 2026-08."""


def week_start(week: str) -> date:
    m = _WEEK.match(week.strip())
    if not m:
        raise PeriodError(f"{week!r} is not a week (write it as 2026-W34)")
    try:
        return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError as error:
        raise PeriodError(f"{week!r} is not a week: {error}") from None


def month_start(month: str) -> date:
    m = _MONTH.match(month.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise PeriodError(f"{month!r} is not a month (write it as 2026-08)")
    return date(int(m.group(1)), int(m.group(2)), 1)


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


@dataclass(frozen=True)
class ListSpec:
    kind: ListKind
    arg: str = ""
    """The search query, the week (2026-W34) or the month (2026-08)."""

    @property
    def title(self) -> str:
        if self.kind == "search":
            return f"Search: {clean_line(self.arg, 80)}"
        if self.kind == "week":
            start = week_start(self.arg)
            return f"Week {self.arg} ({start:%d %b}–{start + timedelta(days=6):%d %b %Y})"
        if self.kind == "month":
            return f"Month {month_start(self.arg):%B %Y}"
        return "Trending"

    def days(self) -> list[date]:
        """The calendar days of a week or month, oldest first."""
        if self.kind == "week":
            start = week_start(self.arg)
            return [start + timedelta(days=i) for i in range(7)]
        if self.kind == "month":
            start = month_start(self.arg)
            end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
            return [start + timedelta(days=i) for i in range((end - start).days)]
        return []

    def shifted(self, periods: int) -> ListSpec:
        """The week or month `periods` away (negative: earlier)."""
        if self.kind == "week":
            return ListSpec("week", week_of(week_start(self.arg) + timedelta(weeks=periods)))
        if self.kind == "month":
            start = month_start(self.arg)
            index = start.year * 12 + start.month - 1 + periods
            return ListSpec("month", f"{index // 12:04d}-{index % 12 + 1:02d}")
        return self

    def request(self, page: int) -> tuple[str, dict[str, str]]:
        if self.kind == "search":
            return "/api/papers/search", {"q": self.arg, "limit": str(SEARCH_LIMIT)}
        params = {"limit": str(PAGE), "p": str(page)}
        if self.kind == "trending":
            params["sort"] = "trending"
        else:
            params[self.kind] = self.arg
        return "/api/daily_papers", params

    @property
    def pages(self) -> int:
        return MAX_PAGES if self.kind in ("week", "month") else 1

    @property
    def folded(self) -> str:
        """The argument as the site reads it: any case, any spacing."""
        return " ".join(self.arg.casefold().split())

    @property
    def key(self) -> str:
        """A file name for the cached answer: the query folded, hashed (it is typed text)."""
        return hashlib.sha256(self.folded.encode()).hexdigest()[:20] if self.folded else "all"


@dataclass(frozen=True)
class ListResult:
    spec: ListSpec
    papers: tuple[Paper, ...]
    status: ListStatus
    fetched_at: datetime | None = None
    from_cache: bool = False
    message: str = ""
    """Why it could not be loaded (with the cached copy shown, if any)."""
    note: str = ""
    """Something the user should know about what is shown (built from the days)."""
    highlights: tuple[str, ...] = field(default=(), compare=False)
    """The site's matched words, for search."""


def parse_list(
    body: bytes, spec: ListSpec, today: date
) -> tuple[tuple[Paper, ...], tuple[str, ...]]:
    """Papers of a list answer in the site's order, and (search) the matched words."""
    items = api_items(body)
    papers: list[Paper] = []
    seen: set[str] = set()
    words: dict[str, None] = {}
    for item in items:
        paper_dict = _dict(_dict(item).get("paper"))
        # Trending entries lack submittedOnDailyAt, and search entries may: the arXiv
        # date stands in as their day (they are not read as a day of the feed).
        fallback = (
            parse_date(paper_dict.get("submittedOnDailyAt"))
            or parse_date(_dict(item).get("publishedAt"))
            or parse_date(paper_dict.get("publishedAt"))
            or today
        )
        paper = paper_from_item(item, fallback)
        if paper is None or paper.id in seen:
            continue
        seen.add(paper.id)
        papers.append(paper)
        if spec.kind == "search":
            for name in ("highlightedTitle", "highlightedSummary"):
                for word in _highlights(_dict(item).get(name)):
                    if len(words) < MAX_HIGHLIGHTS:
                        words.setdefault(word, None)
    return tuple(papers), tuple(words)


def _highlights(segments: Any) -> list[str]:
    """The `highlight` segments' text, cleaned like any scraped string."""
    if not isinstance(segments, list):
        return []
    out = []
    for segment in segments:
        if isinstance(segment, dict) and segment.get("type") == "highlight":
            text = clean_line(segment.get("text"), 60)
            if len(text) >= 2:
                out.append(text)
    return out


class ListCache:
    """The last good answer per list: the raw items as served, when they were fetched, and
    the papers parsed from them (read back without parsing while the parser is the same;
    a new parser reads the raw items again)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, spec: ListSpec) -> Path:
        return self.root / spec.kind / f"{spec.key}.json"

    def load(self, spec: ListSpec) -> ListResult | None:
        return self._read(self._path(spec), spec)

    def _read(self, path: Path, spec: ListSpec | None) -> ListResult | None:
        """The answer in `path`; for `spec`, or for whatever list it holds (None)."""
        try:
            doc = jsonio.loads(path.read_bytes())
            held = ListSpec(doc["kind"], str(doc.get("arg")))
            if spec is None:
                spec = held
            elif held.folded != spec.folded:
                return None  # another query that hashed alike: never show its papers
            fetched_at = datetime.fromisoformat(doc["fetched_at"])
            if doc.get("parser_version") == PARSER_VERSION and isinstance(doc.get("papers"), list):
                papers = tuple(Paper.from_json(p) for p in doc["papers"])
                words = tuple(w for w in doc.get("highlights", []) if isinstance(w, str))
            else:
                body = json.dumps(doc["items"]).encode()
                papers, words = parse_list(body, spec, fetched_at.date())
        except (OSError, ValueError, KeyError, TypeError, AttributeError, ScrapeError):
            return None
        status: ListStatus = "ok" if papers else "empty"
        return ListResult(spec, papers, status, fetched_at, True, highlights=words)

    def store(
        self,
        spec: ListSpec,
        body: bytes,
        fetched_at: datetime,
        papers: tuple[Paper, ...] | None = None,
        words: tuple[str, ...] = (),
    ) -> str | None:
        """Keep an answer; why it could not be kept, or None."""
        if papers is None:
            papers, words = parse_list(body, spec, fetched_at.date())
        doc = {
            "kind": spec.kind,
            "arg": spec.arg,
            "fetched_at": fetched_at.isoformat(),
            "parser_version": PARSER_VERSION,
            "papers": [p.to_json() for p in papers],
            "highlights": list(words),
            "items": json.loads(body),
        }
        return write_cache_file(self._path(spec), json.dumps(doc, ensure_ascii=False).encode())

    def all_papers(self) -> dict[str, Paper]:
        """Every paper of every cached list, by id (for the starred list)."""
        index: dict[str, Paper] = {}
        for path in sorted(self.root.glob("*/*.json")):
            result = self._read(path, None)  # each file read once
            for paper in result.papers if result else ():
                index.setdefault(paper.id, paper)
        return index


class ListSource:
    """Loads lists through the library's client and cache root."""

    def __init__(
        self,
        fetcher: Callable[[], Any],
        cache: ListCache,
        *,
        clock: Callable[[], datetime],
        days: Callable[[list[date]], Any] | None = None,
    ) -> None:
        self._fetcher = fetcher
        self.cache = cache
        self.clock = clock
        self._days = days
        """Loads days (for a period the API does not answer): Library.load_days."""
        self.cache_problem: str | None = None
        self._memory: dict[tuple[str, str], ListResult] = {}
        """The last few answers this process read or fetched, newest last."""

    def cached(self, spec: ListSpec) -> ListResult | None:
        """The last good answer: from memory if this process has it, else from disk."""
        hit = self._memory.get((spec.kind, spec.folded))
        if hit is not None:
            return hit
        result = self.cache.load(spec)
        if result is not None:
            self._remember(result)
        return result

    def _remember(self, result: ListResult) -> None:
        key = (result.spec.kind, result.spec.folded)
        self._memory.pop(key, None)
        self._memory[key] = replace(result, from_cache=True, message="", note="")
        while len(self._memory) > MEMORY:
            self._memory.pop(next(iter(self._memory)))

    def paper_index(self) -> dict[str, Paper]:
        """Every paper in a cached list answer, by id (for the starred list)."""
        return self.cache.all_papers()

    def is_fresh(self, result: ListResult) -> bool:
        if result.fetched_at is None:
            return False
        age = self.clock() - result.fetched_at
        if result.spec.kind in ("week", "month"):
            last_day = result.spec.days()[-1]
            settled = result.fetched_at.astimezone(UTC).date() > last_day + timedelta(days=1)
            return settled or age < CURRENT_FRESH
        return age < FRESH.get(result.spec.kind, CURRENT_FRESH)

    async def load(
        self, spec: ListSpec, *, offline: bool = False, force: bool = False
    ) -> ListResult:
        cached = await asyncio.to_thread(self.cached, spec)
        if offline:
            if cached is not None:
                return cached
            return ListResult(spec, (), "missing", message="offline, and not cached")
        if cached is not None and not force and self.is_fresh(cached):
            return cached
        try:
            items = await self._fetch(spec)
        except (FetchError, ScrapeError) as error:
            return self._fallback(spec, cached, str(error))
        now = self.clock()
        body = json.dumps(items, ensure_ascii=False).encode()
        papers, words = await asyncio.to_thread(parse_list, body, spec, now.date())
        if not papers and items:
            return self._fallback(spec, cached, "none of the items the site sent is a paper")
        if not papers and spec.kind in ("week", "month") and spec.days()[0] < PERIODS_FROM:
            return await self._from_days(spec, cached)
        problem = await asyncio.to_thread(self.cache.store, spec, body, now, papers, words)
        if problem:
            self.cache_problem = problem
        status: ListStatus = "ok" if papers else "empty"
        result = ListResult(spec, papers, status, now, highlights=words)
        self._remember(result)
        return result

    async def _fetch(self, spec: ListSpec) -> list[Any]:
        from paperterm.library import fetch_pages

        path, _ = spec.request(0)
        return await fetch_pages(
            self._fetcher(), path, lambda page: spec.request(page)[1], spec.pages, PAGE
        )

    async def _from_days(self, spec: ListSpec, cached: ListResult | None) -> ListResult:
        """A week or month the API does not answer: its days' papers, top first."""
        if self._days is None:
            return ListResult(spec, (), "empty")
        days = [d for d in spec.days() if d.weekday() < 5 and d <= self.clock().date()]
        results = await self._days(days)
        papers = tuple(p for r in results for p in r.papers)
        failed = [r for r in results if r.status == "error"]
        note = f"the site has no {spec.kind} list this far back: built from its days"
        if failed:
            note += f" ({len(failed)} of them could not be loaded)"
        status: ListStatus = "ok" if papers else "empty"
        return ListResult(spec, papers, status, self.clock(), note=note)

    def _fallback(self, spec: ListSpec, cached: ListResult | None, message: str) -> ListResult:
        if cached is not None:
            return ListResult(
                spec,
                cached.papers,
                cached.status,
                cached.fetched_at,
                True,
                message=message,
                highlights=cached.highlights,
            )
        return ListResult(spec, (), "error", message=message)


NOT_CACHED = "(not cached)"


def starred_papers(store: StateStore, index: dict[str, Paper]) -> tuple[Paper, ...]:
    """The starred papers, newest star first. One whose data no cache holds is listed by
    id with a note, never dropped."""
    epoch = datetime.min.replace(tzinfo=UTC)
    stamped = sorted(((store.starred_at(i) or epoch, i) for i in store.starred_ids), reverse=True)
    out: list[Paper] = []
    for when, paper_id in stamped:
        paper = index.get(paper_id)
        if paper is None:
            paper = Paper(
                id=paper_id,
                title=f"{NOT_CACHED} {paper_id}",
                day=when.astimezone(UTC).date() if when is not epoch else date(2023, 5, 4),
                abstract=(
                    "This starred paper is not in the cache (starred on another machine, "
                    "or the cache was cleared). o opens its page on the site."
                ),
            )
        out.append(paper)
    return tuple(out)
