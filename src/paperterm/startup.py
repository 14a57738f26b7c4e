"""What the reader needs for its first frame: the state, what was seen before, the days to
show and the newest of them from the cache.

`run_app` does this before the UI starts, so the first frame the user sees already holds
the list (not an empty screen painted and then repainted). The app does the same in a
worker when it is given nothing, as in tests that build it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date

from paperterm import paths
from paperterm.config import Config
from paperterm.library import DayResult, Library, plan_days
from paperterm.prefs import ViewPrefs, load_prefs
from paperterm.seen import SeenStore
from paperterm.state import StateStore

FIRST_PAINT_DAYS = 7
"""Days read before the first frame; a longer range follows once it is on screen."""


@dataclass
class Startup:
    days: list[date]
    """Every day to show, newest first."""
    first: list[DayResult]
    """The cached copies of the newest FIRST_PAINT_DAYS of them."""
    wanted: RangeWanted
    warnings: list[str] = field(default_factory=list)
    prefs: ViewPrefs = field(default_factory=ViewPrefs)
    """The sort and hide-read last used."""


@dataclass(frozen=True)
class RangeWanted:
    """How many days to show: days with papers, not calendar days."""

    count: int
    since: date | None = None
    """With no range given: every day since the last visit is shown too ..."""
    max_count: int = 0
    """... up to this many days with papers."""


def wanted_range(
    config: Config, store: StateStore, days_wanted: int | None, since_visit: bool
) -> RangeWanted:
    """--days if given; else `days`, and the days since the last visit within the bound."""
    if days_wanted:
        return RangeWanted(days_wanted)
    last = store.last_visit
    if last is not None and since_visit:
        return RangeWanted(
            config.days, last.astimezone(UTC).date(), config.since_last_visit_max_days
        )
    return RangeWanted(config.days)


def initial_days(
    library: Library, end: date, wanted: RangeWanted, read: dict[date, DayResult | None]
) -> list[date]:
    """The calendar days to show from `end` back, judged by what the cache knows.

    `read` collects the cache entries looked at, so the caller need not read them again.
    """

    def has_papers(day: date) -> bool | None:
        if day not in read:
            # Only the first frame's days are read before it is painted; past them the
            # weekday rule stands in, and the refresh counts the real days.
            if sum(1 for r in read.values() if r is not None and r.papers) >= FIRST_PAINT_DAYS:
                return None
            read[day] = library.cached(day)
        result = read[day]
        return None if result is None else bool(result.papers)

    return plan_days(end, wanted.count, has_papers, since=wanted.since, max_count=wanted.max_count)


def merge_state_copies(store: StateStore) -> list[str]:
    """The conflict copies sync tools left beside the state, merged in: what to say."""
    from paperterm.syncmerge import merge_conflicts, worth_a_look

    return merge_conflicts(store).messages() if worth_a_look(store) else []


def load_startup(
    library: Library,
    store: StateStore,
    seen: SeenStore,
    *,
    end_date: date | None,
    days_wanted: int | None,
) -> Startup:
    store.load()
    merge_warnings = merge_state_copies(store)
    seen.load()
    if store.last_visit is not None:
        seen.since = store.last_visit.astimezone(UTC).date()
    end = end_date or library.newest_cached() or library.today()
    wanted = wanted_range(library.config, store, days_wanted, since_visit=end_date is None)
    read: dict[date, DayResult | None] = {}
    days = initial_days(library, end, wanted, read)
    # Counted in days with papers: a weekend in the range must not keep a day out of the
    # first frame.
    first: list[DayResult] = []
    for day in days:
        result = read.get(day) if day in read else library.cached(day)
        if result is not None:
            first.append(result)
            if sum(1 for r in first if r.papers) >= FIRST_PAINT_DAYS:
                break
    warnings = store.new_warnings() + merge_warnings + ([seen.problem] if seen.problem else [])
    return Startup(days, first, wanted, warnings, load_prefs(paths.prefs_file()))
