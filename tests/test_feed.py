"""The day reader's rules, driven with no UI: which days a refresh loads, where older days
and go-to-day land, and what a failed day leaves on screen (the feed keeps it)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conftest import FRI, MON, MONDAY_9AM, THU
from hfserver import FakeHF, Scripted

from paperterm.config import load_config
from paperterm.feed import DayFeed
from paperterm.library import DayResult, Library
from paperterm.startup import RangeWanted


def make_feed(now: datetime = MONDAY_9AM, **kw: object) -> DayFeed:
    library = Library(load_config(), clock=lambda: now)
    return DayFeed(library, default_days=3, clock=lambda: now, **kw)  # type: ignore[arg-type]


async def refreshed(feed: DayFeed) -> list[DayResult]:
    got: list[DayResult] = []
    outcome = await feed.refresh([], force=False, on_result=got.append)
    feed.merge(outcome.results)
    await feed.library.aclose()
    return got


async def test_a_monday_refresh_counts_days_with_papers(site: FakeHF) -> None:
    feed = make_feed()
    got = await refreshed(feed)
    with_papers = sorted(d for d, r in feed.loaded.items() if r.papers)
    assert with_papers == [THU, FRI, MON]  # the weekend between is loaded, found empty
    assert {r.day for r in got} == set(feed.loaded)  # every day was reported as it came
    assert feed.oldest_requested == THU
    assert feed.source_text(feed.tried).startswith("127.0.0.1:")


async def test_older_days_are_the_week_before_the_oldest(site: FakeHF) -> None:
    feed = make_feed()
    await refreshed(feed)
    older = feed.older_days()
    assert older[0] == date(2024, 7, 31) and len(older) == 7
    results = await feed.load_older(older)
    assert feed.oldest_requested == older[-1]
    assert feed.merge(results)  # new days: the list changes
    assert date(2024, 7, 30) in feed.loaded and feed.loaded[date(2024, 7, 30)].papers


async def test_a_sunday_goes_to_the_friday_and_the_far_past_says_why(site: FakeHF) -> None:
    feed = make_feed()
    outcome = await feed.goto(date(2024, 8, 4))
    assert not outcome.message
    feed.merge(outcome.results)
    assert feed.nearest_day(date(2024, 8, 4)) == FRI
    early = await feed.goto(date(2001, 1, 1))
    assert "before the feed began" in early.message and not early.results
    await feed.library.aclose()


async def test_a_failed_refresh_keeps_the_day_already_shown(site: FakeHF) -> None:
    feed = make_feed()
    await refreshed(feed)
    before = feed.loaded[MON]
    site.script("/api/daily_papers", Scripted(503, b"busy"))
    site.script("/papers/date/2024-08-05", Scripted(503, b"busy"))
    later = make_feed(datetime(2024, 8, 5, 20, tzinfo=UTC))
    later.loaded = dict(feed.loaded)
    later.end_date = MON  # the site's newest day cannot be asked: anchor on the day shown
    outcome = await later.refresh([MON], force=True, on_result=lambda r: None)
    assert not later.merge([r for r in outcome.results if r.day == MON and not r.papers])
    assert later.loaded[MON] is before  # the failure did not blank the day
    assert "HTTP 503" in outcome.problem and "could not be refreshed" in outcome.warning
    await later.library.aclose()


async def test_a_refresh_that_brings_the_same_papers_changes_nothing(site: FakeHF) -> None:
    """Revalidated days that come back as they were keep the papers already held (the
    list, its search index and the papers read whole are kept by them): no rebuild."""
    feed = make_feed()
    await refreshed(feed)
    held = {day: result.papers for day, result in feed.loaded.items()}
    again = make_feed(datetime(2024, 8, 5, 20, tzinfo=UTC))
    again.loaded = dict(feed.loaded)
    outcome = await again.refresh(list(held), force=True, on_result=lambda r: None)
    assert all(r.fetched_at and r.fetched_at > MONDAY_9AM for r in outcome.results if r.papers)
    assert not again.merge(outcome.results)
    assert all(again.loaded[day].papers is papers for day, papers in held.items())
    # ... and the age said is the new answer's
    assert all(again.loaded[r.day].fetched_at == r.fetched_at for r in outcome.results if r.papers)
    await again.library.aclose()


async def test_a_given_range_is_counted_from_the_date_given(site: FakeHF) -> None:
    feed = make_feed(end_date=FRI)
    feed.wanted = RangeWanted(2)
    await refreshed(feed)
    assert sorted(d for d, r in feed.loaded.items() if r.papers) == [THU, FRI]
