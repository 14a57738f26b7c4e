"""What the reader needs for its first frame: the state, what was seen before, the days to
show and the newest of them from the cache.

`run_app` does this before the UI starts, so the first frame the user sees already holds
the list (not an empty screen painted and then repainted). The app does the same in a
worker when it is given nothing, as in tests that build it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date

from paperterm.config import Config
from paperterm.library import DayResult, Library, day_range
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
    warnings: list[str] = field(default_factory=list)


def newest_cached(library: Library) -> date:
    """The newest cached day that is not in the future, or today."""
    today = library.today()
    for day in library.cached_days():
        if day <= today:
            return day
    return today


def initial_days(
    config: Config, store: StateStore, end: date, days_wanted: int | None, since_visit: bool
) -> list[date]:
    """--days if given; else the days since the last visit, bounded by the config."""
    if days_wanted:
        return day_range(end, days_wanted)
    count = config.days
    last = store.last_visit
    if last is not None and since_visit:
        since = (end - last.astimezone(UTC).date()).days + 1
        count = max(count, min(since, config.since_last_visit_max_days))
    return day_range(end, count)


def load_startup(
    library: Library,
    store: StateStore,
    seen: SeenStore,
    *,
    end_date: date | None,
    days_wanted: int | None,
) -> Startup:
    store.load()
    seen.load()
    if store.last_visit is not None:
        seen.since = store.last_visit.astimezone(UTC).date()
    end = end_date or newest_cached(library)
    days = initial_days(library.config, store, end, days_wanted, since_visit=end_date is None)
    first = [r for d in days[:FIRST_PAINT_DAYS] if (r := library.cached(d)) is not None]
    warnings = list(store.warnings) + ([seen.problem] if seen.problem else [])
    return Startup(days, first, warnings)
