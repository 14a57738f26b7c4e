"""The one place that turns "give me these days" into cache reads, fetches and parses.

Used by the CLI and the reader alike. The rules (docs/safety.md, "Cache policy"): a fresh
cached day is served without a request; a stale one is revalidated (conditional GET); on
any error the cached day is served with its age and the error; a good day is never replaced
by an answer that holds nothing; future days are never requested; `offline` reads the cache
only and says which days it lacks.

Over 400 lines because the policy is one state machine per day (fresh, stale, 304, error,
empty, wrong day, deadline) and reads best in one place; the list feeds are `lists.py`.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from typing import TYPE_CHECKING, Any, Literal

from paperterm import paths
from paperterm.cache import CachedDay, DayCache, is_fresh, utc_today
from paperterm.config import Config
from paperterm.errors import FetchError
from paperterm.fsutil import describe_os_error
from paperterm.model import Paper, Source
from paperterm.scrape import (
    ScrapedDay,
    ScrapeError,
    UnparseableError,
    WrongDayError,
    api_items,
    latest_day,
    parse_api,
    parse_page,
)

if TYPE_CHECKING:
    from paperterm.detail import DetailSource
    from paperterm.fetch import Fetcher
    from paperterm.lists import ListSource
    from paperterm.thumbnails import ThumbnailSource

API_PAGE = 100
API_MAX_PAGES = 20


def utc_now() -> datetime:
    return datetime.now(UTC)


DayStatus = Literal["ok", "empty", "missing", "error", "future"]


@dataclass(frozen=True)
class DayResult:
    """One feed day as the caller gets it, with where it came from and what went wrong."""

    day: date
    papers: tuple[Paper, ...]
    status: DayStatus
    """'ok', 'empty' (no papers that day), 'missing' (offline and not cached),
    'error' (nothing cached and the fetch failed), 'future' (not requested)."""
    source: Source | None = None
    """Which of the site's sources the papers came from (None: neither answered)."""
    fetched_at: datetime | None = None
    from_cache: bool = False
    """Served from the cache without a new answer from the site."""
    message: str = ""
    """A problem fit to show the user; empty when all went well."""
    note: str = ""
    """Something worth knowing that is not a problem (the site keeps no list that day)."""
    records: tuple[dict[str, Any], ...] = ()
    """Asked for with `load_day(records=True)` and served from the cache: the papers as
    `Paper.to_json` records, straight from it (`papers` is then empty). What writes JSON
    out copies them without making a Paper of each (`list --json` at 98.8k papers)."""

    @property
    def has_papers(self) -> bool:
        return bool(self.papers or self.records)

    def age(self, now: datetime) -> timedelta | None:
        return now - self.fetched_at if self.fetched_at else None


def describe_age(age: timedelta | None) -> str:
    if age is None:
        return "never fetched"
    seconds = int(age.total_seconds())
    if seconds < 90:
        return "just now"
    if seconds < 90 * 60:
        return f"{seconds // 60} min ago"
    if seconds < 36 * 3600:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


FEED_START = date(2023, 5, 4)
"""The first day of the Daily Papers feed: no day before it has papers."""

MAX_SPAN = 60
"""Calendar days looked through at most beyond twice the days wanted: a holiday season has
about two empty weeks, and a site that answers nothing must not send us back for years."""


class DayRangeError(ValueError):
    """A date that can have no papers (the future, before the feed began); the message
    names the nearest day that has papers, when one is known."""


def plan_days(
    end: date,
    count: int,
    has_papers: Callable[[date], bool | None],
    *,
    since: date | None = None,
    max_count: int = 0,
) -> list[date]:
    """Calendar days from `end` back, newest first, covering `count` days with papers.

    `has_papers` says what is known of a day: True, False (a weekend, a holiday) or None
    (not known yet: a weekday is taken to have papers, a weekend not, until it is loaded).
    With `since`, every day from it on is covered too, up to `max_count` days with papers.
    The span ends at the feed's first day and after 2 * wanted + MAX_SPAN calendar days.
    At least `end` is planned.
    """
    return list(walk_days(end, count, has_papers, since=since, max_count=max_count)) or [end]


def walk_days(
    end: date,
    count: int,
    has_papers: Callable[[date], bool | None],
    *,
    since: date | None = None,
    max_count: int = 0,
) -> Iterator[date]:
    """`plan_days`' days one at a time (none when not even `end` is wanted): a day's
    `has_papers` is asked only once it has been given, so a caller that loads each day
    before taking the next walks with every day known."""
    found = 0
    day = end
    span = 2 * max(count, max_count if since is not None else 0) + MAX_SPAN
    for _ in range(span):
        wanted = found < count or (since is not None and day >= since and found < max_count)
        if day < FEED_START or not wanted:
            return
        yield day
        known = has_papers(day)
        if known is None:
            known = day.weekday() < 5
        found += bool(known)
        if day == date.min:
            return
        day -= timedelta(days=1)


def papers_known(result: DayResult | None) -> bool | None:
    """What a loaded day says of its papers: whether it has any, or None when it could
    not say (not cached offline, an error)."""
    if result is None or result.status not in ("ok", "empty"):
        return None
    return result.has_papers


def day_range(end: date, count: int) -> list[date]:
    """`count` calendar days ending at `end`, newest first (fewer at the start of time)."""
    count = min(max(count, 1), (end - date.min).days + 1)
    return [end - timedelta(days=i) for i in range(count)]


class Library:
    def __init__(
        self,
        config: Config,
        cache: DayCache | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.config = config
        self.cache = cache or DayCache(paths.cache_dir(), {"page": parse_page, "api": parse_api})
        self.clock = clock
        self._fetcher = fetcher
        self.cache_problem: str | None = None
        """Why the cache cannot be written, once it is known; papers are served anyway."""
        self._cache_problem_told = False

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            from paperterm.fetch import Fetcher  # httpx is imported only when first needed

            self._fetcher = Fetcher(
                self.config.base_url,
                read_timeout=self.config.timeout,
                deadline=self.config.deadline,
                max_retry_after=self.config.max_retry_after,
                max_concurrency=self.config.max_concurrency,
            )
        return self._fetcher

    @functools.cached_property
    def lists(self) -> ListSource:
        """Search, weeks, months and trending, through the same client, beside the days."""
        from paperterm.lists import ListCache, ListSource

        return ListSource(
            lambda: self.fetcher,
            ListCache(self.cache.root.parent / "lists"),
            clock=lambda: self.clock(),
            days=self.load_days,
        )

    @functools.cached_property
    def details(self) -> DetailSource:
        """One paper by id (`/api/papers/{id}`), cached beside the days."""
        from paperterm.detail import DetailSource

        return DetailSource(
            lambda: self.fetcher, self.cache.root.parent / "details", clock=lambda: self.clock()
        )

    @functools.cached_property
    def thumbnails(self) -> ThumbnailSource:
        """Papers' thumbnails (the site's CDN), cached beside the days."""
        from paperterm.thumbnails import ThumbnailSource

        return ThumbnailSource(
            lambda: self.fetcher, self.cache.root.parent / "thumbnails", self.config.thumbnail_url
        )

    def paper_index(self) -> dict[str, Paper]:
        """Every cached paper by id, the newest day's copy of each: what the starred list
        is made from. Reads the whole cache: run it in a thread."""
        index: dict[str, Paper] = {}
        for day in self.cache.days():  # newest first: the first copy found is kept
            result = self.cached(day)
            if result is not None:
                for paper in result.papers:
                    index.setdefault(paper.id, paper)
        return index

    def known_papers(self) -> dict[str, Paper]:
        """Every paper any cache holds, by id: a day's copy before a list's, a list's
        before one looked up by id (what the starred list is made from). Reads every
        cache: run it in a thread."""
        index = self.details.all_papers()
        index.update(self.lists.paper_index())
        index.update(self.paper_index())
        return index

    async def aclose(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None

    def today(self) -> date:
        return utc_today(self.clock())

    def take_cache_problem(self) -> str | None:
        """The cache problem, the first time it is asked for after it happened."""
        if self.cache_problem is None or self._cache_problem_told:
            return None
        self._cache_problem_told = True
        return self.cache_problem

    # ---------------------------------------------------------------- cache only

    def cached(self, day: date, *, brief: bool = False) -> DayResult | None:
        """The cached copy of a day, preferring the configured source; no network. With
        `brief`, its papers without their texts (`Paper.brief`)."""
        return _from_entry(self._cached_entry(day, brief=brief))

    def _sources(self) -> tuple[Source, Source]:
        """The sources a day is read from, the configured one first."""
        other: Source = "api" if self.config.source == "page" else "page"
        return (self.config.source, other)

    def _cached_entry(
        self, day: date, *, brief: bool = False, records: bool = False
    ) -> CachedDay | None:
        for source in self._sources():
            entry = self.cache.load(day, source, brief=brief, records=records)
            if entry is not None:
                return entry
        return None

    def whole_papers(self, papers: Iterable[Paper]) -> list[Paper]:
        """These papers, each brief one (`Paper.brief`) as its day's cache entry holds it
        whole; one that entry lacks now is kept brief. Reads the cache: run it in a
        thread."""
        papers = list(papers)
        days = {p.day for p in papers if p.brief}
        whole: dict[tuple[date, str], Paper] = {}
        for day in days:
            entry = self._cached_entry(day)
            for paper in entry.papers if entry is not None else ():
                whole[(day, paper.id)] = paper
        return [whole.get((p.day, p.id), p) if p.brief else p for p in papers]

    def index_texts(self, day: date, papers: Sequence[Paper]) -> list[str] | None:
        """The filter index's texts of one day's papers (`query.index_text` of each whole),
        in their order, as the cache keeps them beside the day; made from the day's entry
        read whole, and kept, when it keeps none for them. None when no entry of the day
        holds exactly these papers. Reads the cache: run it in a thread."""
        ids = [paper.id for paper in papers]
        for source in self._sources():
            texts = self.cache.load_index_texts(day, source, ids)
            if texts is not None:
                return texts
        entry = self._cached_entry(day)
        if entry is None or [paper.id for paper in entry.papers] != ids:
            return None
        return self.cache.store_index_texts(entry)

    def find_paper(self, paper_id: str) -> Paper | None:
        """A paper from any cached day (newest copy) or list, for commands given only an id."""
        for day in self.cache.days():
            result = self.cached(day)
            if result:
                for paper in result.papers:
                    if paper.id == paper_id:
                        return paper
        found = self.lists.paper_index().get(paper_id)  # a search or week brought it
        if found is None:
            cached = self.details.cached(paper_id)  # looked up by id before
            found = cached.detail.paper if cached and cached.detail else None
        return found

    # ---------------------------------------------------------------- network

    def newest_cached(self) -> date | None:
        """The newest cached day with papers that is not in the future."""
        today = self.today()
        for day in self.cache.days():
            if day <= today:
                result = self.cached(day)
                if result is not None and result.papers:
                    return day
        return None

    async def latest_day(self, *, offline: bool = False) -> date:
        """The newest day with papers: the site's, else the newest cached one, else today."""
        today = self.today()
        if not offline:
            try:
                response = await self.fetcher.get("/api/daily_papers", {"limit": "1"})
                found = await asyncio.to_thread(latest_day, response.body)
                if found is not None:
                    return min(found, today)
            except FetchError:
                pass
        return await asyncio.to_thread(self.newest_cached) or today

    async def check_day(self, day: date, *, offline: bool = False) -> None:
        """Raise DayRangeError for a day that can have no papers, naming the nearest that has."""
        if day > self.today():
            newest = await self.latest_day(offline=offline)
            raise DayRangeError(
                f"{day} is in the future; the newest day with papers is {newest:%a %Y-%m-%d}"
            )
        if day < FEED_START:
            raise DayRangeError(
                f"{day} is before the feed began; its first day with papers is "
                f"{FEED_START:%a %Y-%m-%d}"
            )

    async def load_range(
        self,
        end: date,
        count: int,
        *,
        since: date | None = None,
        max_count: int = 0,
        offline: bool = False,
        force: bool = False,
        on_result: Callable[[DayResult], Any] | None = None,
        deadline: float | None = None,
        brief: Callable[[date], bool] | None = None,
        records: bool = False,
    ) -> list[DayResult]:
        """The days from `end` back that hold `count` days with papers (see plan_days),
        loading more days while weekends and holidays turn out empty. Newest first."""
        return [
            result
            async for result in self.iter_range(
                end,
                count,
                since=since,
                max_count=max_count,
                offline=offline,
                force=force,
                on_result=on_result,
                deadline=deadline,
                brief=brief,
                records=records,
            )
        ]

    async def iter_range(
        self,
        end: date,
        count: int,
        *,
        since: date | None = None,
        max_count: int = 0,
        offline: bool = False,
        force: bool = False,
        on_result: Callable[[DayResult], Any] | None = None,
        deadline: float | None = None,
        brief: Callable[[date], bool] | None = None,
        records: bool = False,
        window: int | None = None,
    ) -> AsyncIterator[DayResult]:
        """`load_range`'s days, newest first, each given as soon as it and the days after
        it are in. With a `window`, at most that many days are loaded ahead: a range of
        years is then held a window at a time (`list --json` of 98.8k papers held them
        all, 500 MB), not whole.

        The walk is `plan_days`' own (`walk_days`), each day known when it is walked:
        which days are wanted further back depends on which turned out empty."""
        loop = asyncio.get_running_loop()
        give_up = None if deadline is None else loop.time() + deadline
        known: dict[date, DayResult] = {}
        given: dict[date, bool | None] = {}  # what each day given said (the day is let go)

        def has_papers(day: date) -> bool | None:
            return given[day] if day in given else papers_known(known.get(day))

        days = walk_days(end, count, has_papers, since=since, max_count=max_count)
        first = next(days, end)  # (`plan_days` plans `end` when the walk wants no day)
        for day in chain([first], days):
            if day not in known:
                if given and give_up is not None and loop.time() >= give_up:
                    return
                # The days the plan expects from here (weekdays with papers, until they
                # say otherwise), loaded together: the fetcher bounds concurrency.
                ahead = plan_days(end, count, has_papers, since=since, max_count=max_count)
                todo = [d for d in ahead if d not in given and d not in known][:window]
                left = None if give_up is None else max(give_up - loop.time(), 0.001)
                for result in await self.load_days(
                    todo,
                    offline=offline,
                    force=force,
                    on_result=on_result,
                    deadline=left,
                    brief=brief,
                    records=records,
                ):
                    known[result.day] = result
                if day not in known:  # (not planned: nothing was loaded for it)
                    return
            result = known.pop(day)
            given[day] = papers_known(result)  # before the walk asks, when it goes on
            yield result

    async def load_days(
        self,
        days: Iterable[date],
        *,
        offline: bool = False,
        force: bool = False,
        on_result: Callable[[DayResult], Any] | None = None,
        deadline: float | None = None,
        brief: Callable[[date], bool] | None = None,
        records: bool = False,
    ) -> list[DayResult]:
        """Several days at once (the fetcher bounds concurrency), in the order given.

        With a `deadline` (seconds), days not loaded by then end as errors that say so,
        from the cache where it has them. `brief` names the days whose cached copies are
        wanted without their texts, `records` those wanted as records (see `load_day`).
        """
        days = list(days)

        def is_brief(day: date) -> bool:
            return brief is not None and brief(day)

        async def one(day: date) -> DayResult:
            result = await self.load_day(
                day, offline=offline, force=force, brief=is_brief(day), records=records
            )
            if on_result is not None:
                on_result(result)
            return result

        tasks = [asyncio.ensure_future(one(day)) for day in days]
        if deadline is None:
            return list(await asyncio.gather(*tasks))
        _, late = await asyncio.wait(tasks, timeout=deadline)
        for task in late:
            task.cancel()
        if late:
            await asyncio.gather(*late, return_exceptions=True)
        out: list[DayResult] = []
        for day, task in zip(days, tasks, strict=True):
            if task in late:
                message = f"not loaded within the command's {deadline:g} s deadline"
                entry = self._cached_entry(day, brief=is_brief(day), records=records)
                result = self._fallback(day, _from_entry(entry), message)
                if on_result is not None:
                    on_result(result)
                out.append(result)
            else:
                out.append(task.result())
        return out

    async def load_day(
        self,
        day: date,
        *,
        offline: bool = False,
        force: bool = False,
        brief: bool = False,
        records: bool = False,
    ) -> DayResult:
        """One day, by the cache policy. With `brief`, a copy served from the cache comes
        without its papers' texts; with `records`, as `DayResult.records` (what a fetched
        day brings is whole Papers)."""
        if day > self.today():
            return DayResult(day, (), "future", message=f"{day} is in the future")
        # The cache is read in a thread: the reader's event loop never waits on the disk.
        read = functools.partial(self._cached_entry, day, brief=brief)
        entry = await asyncio.to_thread(read, records=records)
        cached = _from_entry(entry)
        if offline:
            return cached or DayResult(day, (), "missing", message=f"{day} is not cached")
        now = self.clock()
        if cached and not force and cached.fetched_at and is_fresh(day, cached.fetched_at, now):
            return cached
        if entry is not None and entry.records:
            # Revalidating may store the entry again (a 304 renews it; an empty answer
            # keeps it): that takes its papers, not records.
            entry = await asyncio.to_thread(read)
            cached = _from_entry(entry)
        try:
            async with asyncio.timeout(self.config.deadline):
                if self.config.source == "api":
                    return await self._from_api(day, cached)
                return await self._from_page(day, cached, entry)
        except TimeoutError:
            return self._fallback(day, cached, f"gave up on {day} after {self.config.deadline:g} s")
        except FetchError as error:
            return self._fallback(day, cached, str(error))
        except ScrapeError as error:
            return self._fallback(day, cached, f"cannot read the site's answer for {day}: {error}")

    def _fallback(self, day: date, cached: DayResult | None, message: str) -> DayResult:
        if cached is None:
            return DayResult(day, (), "error", message=message)
        age = describe_age(cached.age(self.clock()))
        return replace(cached, message=f"{message}; showing the copy from {age}")

    async def _from_page(
        self, day: date, cached: DayResult | None, entry: CachedDay | None
    ) -> DayResult:
        # Validators only for a page we hold: an API body cannot answer a page's ETag.
        entry = entry if entry is not None and entry.source == "page" else None
        try:
            response = await self.fetcher.get(
                f"/papers/date/{day.isoformat()}",
                etag=entry.etag if entry else None,
                last_modified=entry.last_modified if entry else None,
            )
        except FetchError as error:
            if error.status == 404:
                return await self._from_api(day, cached)
            raise
        now = self.clock()
        if response.status == 304 and entry is not None and cached is not None:
            await asyncio.to_thread(self.cache.touch, entry, now)
            return replace(cached, fetched_at=now, from_cache=False)
        try:
            scraped = await asyncio.to_thread(parse_page, response.body, day)
        except (UnparseableError, WrongDayError) as page_error:
            # The page changed shape, is a challenge page, or is another day: the API is
            # the site's own second source for the same list.
            try:
                return await self._from_api(day, cached)
            except (FetchError, ScrapeError) as api_error:
                raise UnparseableError(
                    f"{page_error}; the API fallback failed too: {api_error}"
                ) from None
        return await self._keep(
            day, "page", response.body, scraped, cached, response.etag, response.last_modified
        )

    async def _from_api(self, day: date, cached: DayResult | None) -> DayResult:
        items = await fetch_pages(
            self.fetcher,
            "/api/daily_papers",
            lambda page: {"date": day.isoformat(), "limit": str(API_PAGE), "p": str(page)},
            API_MAX_PAGES,
        )
        body = json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            scraped = await asyncio.to_thread(parse_api, body, day)
        except WrongDayError as error:
            # The site keeps no list for this day and answered with another: nothing to show.
            scraped = ScrapedDay((), None)
            body = b"[]"
            note = f"no list for {day} ({error})"
            return await self._keep(day, "api", body, scraped, cached, None, None, note=note)
        if not scraped.papers and scraped.skipped:
            raise UnparseableError(f"none of the {scraped.skipped} items the API sent is a paper")
        return await self._keep(day, "api", body, scraped, cached, None, None)

    async def _keep(
        self,
        day: date,
        source: Source,
        body: bytes,
        scraped: ScrapedDay,
        cached: DayResult | None,
        etag: str | None,
        last_modified: str | None,
        note: str = "",
    ) -> DayResult:
        now = self.clock()
        if not scraped.papers and cached is not None and cached.papers:
            return replace(
                cached,
                message=f"the site now lists no papers for {day}; keeping the cached list",
            )
        try:
            entry = await asyncio.to_thread(
                self.cache.store,
                day,
                source,
                body,
                scraped.papers,
                fetched_at=now,
                empty=not scraped.papers,
                etag=etag,
                last_modified=last_modified,
                note=note,
            )
        except OSError as error:
            # A cache that cannot be written costs only the caching: the papers are shown.
            if self.cache_problem is None:
                self.cache_problem = (
                    f"the cache is not being written ({self.cache.root}: "
                    f"{describe_os_error(error)})"
                )
            entry = CachedDay(
                day, source, scraped.papers, now, not scraped.papers, etag, last_modified, note
            )
        return DayResult(
            day,
            entry.papers,
            "ok" if entry.papers else "empty",
            source,
            now,
            from_cache=False,
            note=note,
        )


def _from_entry(entry: CachedDay | None) -> DayResult | None:
    if entry is None:
        return None
    return DayResult(
        entry.day,
        entry.papers,
        "ok" if entry.papers or entry.records else "empty",
        entry.source,
        entry.fetched_at,
        from_cache=True,
        note=entry.note,
        records=entry.records,
    )


async def fetch_pages(
    fetcher: Fetcher,
    path: str,
    params: Callable[[int], dict[str, str]],
    max_pages: int,
    page_size: int = API_PAGE,
) -> list[Any]:
    """An API list asked for page by page until a short page (or one with nothing new),
    each paper once, in the order served."""
    items: list[Any] = []
    seen: set[str] = set()
    for page in range(max_pages):
        response = await fetcher.get(path, params(page))
        batch = await asyncio.to_thread(api_items, response.body)
        fresh = [item for item in batch if _item_id(item) not in seen]
        seen.update(_item_id(item) for item in fresh)
        items.extend(fresh)
        if len(batch) < page_size or not fresh:
            break
    return items


def _item_id(item: Any) -> str:
    paper = item.get("paper") if isinstance(item, dict) else None
    pid = paper.get("id") if isinstance(paper, dict) else None
    return pid if isinstance(pid, str) else repr(item)[:200]
