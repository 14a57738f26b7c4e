"""The days the reader shows: which to load, what came back, and what to say about them.

No Textual: the day reader's screen runs these coroutines in its workers and paints what
they return, and tests drive them without a UI. A later feed (search, a week, trending)
is another such object behind the same list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from paperterm.library import DayRangeError, DayResult, Library, day_range, describe_age
from paperterm.model import Paper
from paperterm.startup import RangeWanted
from paperterm.text import plural

OLDER_DAYS = 7
"""Days brought in when the cursor moves past the oldest one loaded."""

GOTO_DAYS = 4
"""Days loaded for a go-to-day: the day and the few before it, so a Sunday finds Friday."""


@dataclass(frozen=True)
class RefreshOutcome:
    results: list[DayResult]
    problem: str
    """The first day's error, or ''."""
    warning: str
    """What to tell the user about days that failed, or ''."""


@dataclass(frozen=True)
class GotoOutcome:
    results: list[DayResult]
    message: str
    """Why the day cannot be had (before the feed began, in the future), or ''."""


class DayFeed:
    """The loaded days, newest first when listed, and the range they came from."""

    def __init__(
        self,
        library: Library,
        *,
        default_days: int,
        end_date: date | None = None,
        offline: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.library = library
        self.default_days = default_days
        self.end_date = end_date
        self.offline = offline
        self.clock = clock or library.clock
        self.loaded: dict[date, DayResult] = {}
        self.wanted: RangeWanted | None = None
        self.oldest_requested: date | None = None
        self.tried: list[DayResult] = []
        """The days the last refresh asked for, with how each went."""
        self.loading_older = False
        self.brief_before: date | None = None
        """Days before this one are held without their papers' texts (`Paper.brief`):
        the first frame's days whole, the years behind them as a list needs them."""

    def is_brief(self, day: date) -> bool:
        return self.brief_before is not None and day < self.brief_before

    def groups(self) -> Iterable[tuple[date, tuple[Paper, ...]]]:
        return ((d, r.papers) for d, r in self.loaded.items())

    def papers(self) -> Iterable[Paper]:
        return (p for r in self.loaded.values() for p in r.papers)

    def merge(self, results: Iterable[DayResult]) -> bool:
        """Take what loaded; a failed day keeps the copy already shown. Whether the list
        changed: a day that came back with the same papers keeps the papers already held
        (the list's rows, its search index and its whole copies are kept by them), and
        is no change."""
        changed = False
        for result in results:
            if result.status in ("ok", "empty") and (
                result.papers or result.day not in self.loaded
            ):
                known = self.loaded.get(result.day)
                if known is not None and known.papers == result.papers:
                    self.loaded[result.day] = replace(result, papers=known.papers)
                    continue
                self.loaded[result.day] = result
                changed = True
        return changed

    def missing(self, days: Iterable[date]) -> list[date]:
        return [d for d in days if d not in self.loaded]

    def source_text(
        self, results: Iterable[DayResult], where: str | None = None, verb: str = "updated"
    ) -> str:
        """'huggingface.co · updated 5 min ago': where the list came from and how old it is."""
        where = where or self.library.config.base_url.split("://", 1)[-1].rstrip("/")
        ages = [r.fetched_at for r in results if r.fetched_at and r.papers]
        if not ages:
            return where
        return f"{where} · {verb} {describe_age(self.clock() - min(ages))}"

    async def refresh(
        self,
        days: list[date],
        *,
        force: bool,
        on_result: Callable[[DayResult], object],
    ) -> RefreshOutcome:
        """Revalidate the range from the site: anchored on the site's newest day with
        papers (or --date), counting days with papers, weekends skipped. Older days the
        user brought in (`]`, go-to-day) are refreshed with the rest."""
        wanted = self.wanted or RangeWanted(self.default_days)
        if self.end_date is not None:
            anchor = self.end_date
        else:
            # Wherever the site's newest day is, before or after the cached one: the
            # range follows it both ways.
            anchor = await self.library.latest_day()
        results = await self.library.load_range(
            anchor,
            wanted.count,
            since=wanted.since,
            max_count=wanted.max_count,
            force=force,
            on_result=on_result,
            brief=self.is_brief,
        )
        in_range = {r.day for r in results}
        extra = [d for d in days if d not in in_range]
        if extra:
            results += await self.library.load_days(
                extra, force=force, on_result=on_result, brief=self.is_brief
            )
        self.oldest_requested = min(
            [self.oldest_requested or anchor, *days, *(r.day for r in results)]
        )
        self.tried = list(results)
        errors = [r for r in results if r.message and r.status in ("ok", "empty", "error")]
        problem = errors[0].message if errors else ""
        warning = (
            f"{plural(len(errors), 'day')} could not be refreshed: {problem}" if errors else ""
        )
        return RefreshOutcome(results, problem, warning)

    async def goto(self, day: date) -> GotoOutcome:
        """Load a day and the few before it (merged by the caller, with the rest it does
        on receiving days), or say why the day cannot be had."""
        try:
            await self.library.check_day(day, offline=self.offline)
        except DayRangeError as error:
            return GotoOutcome([], str(error))
        days = self.missing(day_range(day, GOTO_DAYS))
        results = await self.library.load_days(days, offline=self.offline, brief=self.is_brief)
        self.oldest_requested = min([*days, self.oldest_requested or day])
        return GotoOutcome(results, "")

    def nearest_day(self, day: date) -> date | None:
        """The loaded day with papers the cursor should go to for `day`: it, or the
        nearest before it."""
        return max((d for d, r in self.loaded.items() if d <= day and r.papers), default=None)

    def older_days(self) -> list[date]:
        """The week before the oldest day asked for: what moving past the end loads."""
        if self.oldest_requested is None:
            return []
        return day_range(self.oldest_requested - timedelta(days=1), OLDER_DAYS)

    async def load_older(self, days: list[date]) -> list[DayResult]:
        results = await self.library.load_days(days, offline=self.offline, brief=self.is_brief)
        self.oldest_requested = min(days + [d for d in [self.oldest_requested] if d])
        return results

    def empty_note(self) -> str:
        """Why a day in range came back with no list at all, when the site said so."""
        return next((r.note for r in self.tried if r.note and not r.papers), "")
