"""Every way into the site (issue 13): search, week, month, trending and starred, from the
CLI and in the reader, over the real search captures and week/trending answers built
from the corpus days, shaped like the real entries."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, as_served_now, load_corpus_file
from hfserver import FakeHF, Scripted
from test_app import make_app, notices, reader, settle, settled
from test_cli import run_cli
from textual.pilot import Pilot
from textual.widgets import OptionList

from paperterm.app import PapertermApp
from paperterm.lists import ListSpec, month_start, week_of, week_start
from paperterm.screens.feeds import ListScreen, StarredScreen, TopicScreen

KAZAKH = json.loads((FIXTURES / "papers_search_api_q-kazakh_2025-05.json").read_text())
WEEK = "2024-W31"  # Mon 29 Jul .. Sun 4 Aug 2024
AFTER_WEEK = datetime(2024, 8, 6, 9, tzinfo=UTC)


BIG_WEEK = "2026-W24"  # 168 papers in the corpus: two pages of 100
THIS_WEEK = week_of(datetime.now(UTC).date())
"""The week under way when the tests run (the CLI's clock is the real one): it is
revalidated, where a past week settles."""


def week_items(corpus_dir: Path, week: str = WEEK) -> list[Any]:
    """A week answer as the API gives one: every entry of its days, in no particular order."""
    items: list[Any] = []
    for day in ListSpec("week", week).days():
        path = corpus_dir / f"{day}.json"
        if path.exists():
            items += as_served_now(load_corpus_file(path), day)
    return items[::-1]


def trending_items(corpus_dir: Path) -> list[Any]:
    """Trending: ranked by GitHub stars, and without submittedOnDailyAt (as the site)."""
    items = [i for i in load_corpus_file(corpus_dir / "2025-10-01.json") if isinstance(i, dict)]
    items.sort(key=lambda i: -(i["paper"].get("githubStars") or 0))
    for item in items:
        item["paper"].pop("submittedOnDailyAt", None)
    return items


@pytest.fixture
def feeds(site: FakeHF, corpus_dir: Path) -> FakeHF:
    site.add_search("kazakh", KAZAKH)
    site.add_period(WEEK, week_items(corpus_dir))
    site.add_period(BIG_WEEK, week_items(corpus_dir, BIG_WEEK))
    site.add_period(THIS_WEEK, week_items(corpus_dir, BIG_WEEK))
    site.add_period("trending", trending_items(corpus_dir))
    return site


# ------------------------------------------------------------------ the data layer


def test_weeks_and_months_are_read_and_moved_by_period() -> None:
    assert week_start("2026-W34") == date(2026, 8, 17)
    assert ListSpec("week", "2026-W01").shifted(-1).arg == "2025-W52"
    assert ListSpec("month", "2026-01").shifted(-1).arg == "2025-12"
    assert month_start("2026-08") == date(2026, 8, 1)
    assert len(ListSpec("month", "2024-02").days()) == 29
    with pytest.raises(ValueError, match="not a week"):
        week_start("2026-34")


# ------------------------------------------------------------------ the CLI


def test_search_from_a_script_and_offline_after(feeds: FakeHF) -> None:
    out = run_cli("search", "Kazakh", "--json", check=True).stdout
    found = json.loads(out)
    assert [p["id"] for p in found] == [i["paper"]["id"] for i in KAZAKH]  # relevance order
    assert run_cli("search", "kazakh", "--limit", "3", check=True).stdout.count("\n") == 4
    offline = run_cli("search", "KAZAKH", "--offline", check=True)
    assert "Search: KAZAKH · 9 papers" in offline.stdout  # the cached answer, any case
    missing = run_cli("search", "nothing cached", "--offline")
    assert missing.returncode == 1 and "offline, and not cached" in missing.stderr


def age_lists(cache: Path, hours: float, pattern: str = "lists/*/*.json") -> None:
    """Make every cached answer (the lists', or those `pattern` names) `hours` older, as
    if fetched that long ago."""
    for path in cache.glob(pattern):
        doc = json.loads(path.read_text())
        when = datetime.fromisoformat(doc["fetched_at"]) - timedelta(hours=hours)
        doc["fetched_at"] = when.isoformat()
        path.write_text(json.dumps(doc))


def test_a_failed_search_shows_the_last_answer_with_its_age(
    feeds: FakeHF, private_dirs: dict[str, Path]
) -> None:
    run_cli("search", "kazakh", check=True)
    fresh = run_cli("search", "kazakh", check=True)
    assert fresh.stdout.startswith("Search: kazakh · 9 papers · just now")  # not asked again
    assert sum("/api/papers/search" in r for r in feeds.requests) == 1
    age_lists(private_dirs["cache"], 2)
    feeds.script("/api/papers/search", Scripted(503, b"busy"))
    again = run_cli("search", "kazakh", "--json")
    assert again.returncode == 0 and len(json.loads(again.stdout)) == 9
    assert "HTTP 503" in again.stderr and "the cached answer is shown" in again.stderr
    assert "Search: kazakh · 9 papers · 2 h ago" in run_cli("search", "kazakh").stdout
    never = run_cli("search", "kazakh dataset")
    assert never.returncode == 1 and "HTTP 503" in never.stderr and not never.stdout


def test_a_week_pages_until_a_short_page(feeds: FakeHF, corpus_dir: Path) -> None:
    expected = {i["paper"]["id"] for i in week_items(corpus_dir, BIG_WEEK)}
    assert len(expected) > 100  # more than a page
    out = json.loads(run_cli("list", "--week", BIG_WEEK, "--json", check=True).stdout)
    assert {p["id"] for p in out} == expected
    assert [p["upvotes"] for p in out] == sorted((p["upvotes"] for p in out), reverse=True)
    pages = [r for r in feeds.requests if f"week={BIG_WEEK}" in r]
    assert len(pages) == len(expected) // 100 + 1


def test_an_old_week_the_api_does_not_answer_is_built_from_its_days(feeds: FakeHF) -> None:
    proc = run_cli("list", "--week", "2024-W30", "--json", check=True)  # 22-28 Jul
    ids = {p["id"] for p in json.loads(proc.stdout)}
    assert ids and "built from its days" in proc.stderr
    assert {p["day"] for p in json.loads(proc.stdout)} <= {f"2024-07-{d}" for d in range(22, 29)}


def test_trending_and_a_bad_week(feeds: FakeHF) -> None:
    out = json.loads(run_cli("list", "--trending", "--json", check=True).stdout)
    stars = [p["github_stars"] or 0 for p in out]
    assert out and stars == sorted(stars, reverse=True)  # the site's rank, kept
    bad = run_cli("list", "--week", "2026-34")
    assert bad.returncode == 1 and "not a week (write it as 2026-W34)" in bad.stderr


def test_starred_lists_every_star_even_one_not_cached(feeds: FakeHF) -> None:
    run_cli("search", "kazakh", check=True)
    run_cli("star", "2404.04487", check=True)  # known from the search's answer only
    out = run_cli("list", "--starred", check=True).stdout
    assert "2404.04487" in out and "KazQAD" in out


# ------------------------------------------------------------------ the reader


@contextlib.asynccontextmanager
async def searched_kazakh(
    private_dirs: dict[str, Path],
) -> AsyncIterator[tuple[PapertermApp, Pilot[None], ListScreen]]:
    """The reader a week after the captures, F "kazakh" typed: the search on screen."""
    async with reader(private_dirs, end=None, days=None, now=AFTER_WEEK, notifications=True) as (
        app,
        pilot,
    ):
        await pilot.press("F", *"kazakh", "enter")
        await settled(app, pilot)
        screen = app.screen
        assert isinstance(screen, ListScreen)
        yield app, pilot, screen


async def test_search_star_and_find_it_in_starred(
    feeds: FakeHF, private_dirs: dict[str, Path]
) -> None:
    async with searched_kazakh(private_dirs) as (app, pilot, screen):
        assert screen.status_bar.plain.startswith(" Search: kazakh")
        headers = [r.day for r in screen.paper_list.rows if r.is_header]
        assert headers == sorted(headers, reverse=True)  # publication months, newest first
        text = "\n".join(
            line for line in (screen.paper_list.render_line(y).text for y in range(12))
        )
        assert "March 2025" in text and "April 2024" in text and "KazQAD" in text
        first = screen.paper_list.paper
        assert first is not None and first.id == "2503.01493"  # the newest month's match
        await pilot.press("s")
        await pilot.pause()
        assert app.store.is_starred(first.id)
        await pilot.press("f", "5")  # the feed list: Starred
        await settled(app, pilot)
        starred = app.screen
        assert isinstance(starred, StarredScreen)
        assert [p.id for p in starred.paper_list.papers] == [first.id]
        await pilot.press("f", "1")  # back to the days: the day reader, as it was
        await pilot.pause()
        assert app.screen is app.reader


async def test_the_week_reads_by_day_or_ranked_and_moves_by_week(
    feeds: FakeHF, private_dirs: dict[str, Path]
) -> None:
    app = make_app(private_dirs, end=None, days=None, now=AFTER_WEEK)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("2")  # This week: 2024-W32, which the fake site does not answer
        await settled(app, pilot)
        await pilot.press("right_square_bracket")  # ] : the week before
        await settled(app, pilot)
        screen = app.screen
        assert isinstance(screen, ListScreen) and screen.spec.arg == WEEK
        days = [r.day for r in screen.paper_list.rows if r.is_header]
        assert days == sorted(days, reverse=True) and len(days) == 5
        await pilot.press("t")  # one ranked list
        await pilot.pause()
        assert sum(1 for r in screen.paper_list.rows if r.is_header) == 1
        votes = [p.upvotes for p in screen.paper_list.papers]
        assert votes == sorted(votes, reverse=True)


async def test_a_topic_marks_what_is_new_a_day_later(
    feeds: FakeHF, corpus_dir: Path, private_dirs: dict[str, Path]
) -> None:
    """Search "kazakh", star a result, save the search as a topic; a day later the site has
    two more matches: both carry ✦, the feed list counts 2, and Week and Starred still
    work (the star is there)."""
    async with searched_kazakh(private_dirs) as (app, pilot, search):
        assert search.paper_list.paper is not None
        starred = search.paper_list.paper
        await pilot.press("s", "T")
        await pilot.pause()
        await pilot.press("enter")  # the name offered: the query itself
        await settled(app, pilot)
        assert any("Saved the topic 'kazakh'" in n for n in await notices(app, pilot))
    newcomers = [i for i in load_corpus_file(corpus_dir / "2024-08-05.json")[:2]]
    feeds.add_search("kazakh", [*newcomers, *KAZAKH])
    new_ids = {i["paper"]["id"] for i in newcomers}  # type: ignore[index]

    later = make_app(private_dirs, end=None, days=None, now=AFTER_WEEK + timedelta(days=1))
    async with later.run_test(size=(130, 40)) as pilot:
        await settle(later, pilot)
        await settled(later, pilot)  # the topics are checked after the first paint
        await pilot.press("f")
        await pilot.pause()
        listed = "\n".join(
            later.screen.query_one(OptionList).get_option_at_index(i).prompt.plain  # type: ignore[union-attr]
            for i in range(later.screen.query_one(OptionList).option_count)
        )
        assert "Topic: kazakh" in listed and "2 new" in listed
        await pilot.press("6")  # the topic
        await settled(later, pilot)
        screen = later.screen
        assert isinstance(screen, TopicScreen)
        marked = {p.id for p in screen.paper_list.papers if screen.flags.is_new(p)}
        assert marked == new_ids
        rows = "\n".join(screen.paper_list.render_line(y).text for y in range(20))
        assert rows.count("✦") == 2
        await pilot.press("f", "2")  # this week
        await settled(later, pilot)
        assert isinstance(later.screen, ListScreen) and later.screen.spec.kind == "week"
        await pilot.press("f", "5")  # starred
        await settled(later, pilot)
        assert isinstance(later.screen, StarredScreen)
        assert [p.id for p in later.screen.paper_list.papers] == [starred.id]
    again = run_cli("topics", "--json")
    assert again.returncode == 1 and json.loads(again.stdout)[0]["new"] == 0  # seen now


@pytest.mark.parametrize(
    ("path", "argv"),
    [
        ("/api/papers/search", ["search", "kazakh"]),
        ("/api/daily_papers", ["list", "--week", THIS_WEEK]),
        ("/api/daily_papers", ["list", "--trending"]),
    ],
    ids=["search", "week", "trending"],
)
@pytest.mark.parametrize(
    ("scripted", "says"),
    [
        (Scripted(429, b"slow", {"Retry-After": "3600"}), "rate-limiting"),
        (Scripted(500, b"oops"), "HTTP 500"),
        (Scripted(200, b"[]", delay=3.0), "did not answer"),
        (Scripted(200, b"<html>Just a moment...</html>"), ""),
    ],
    ids=["429", "500", "timeout", "junk"],
)
def test_every_feed_keeps_its_last_answer_through_faults(
    feeds: FakeHF,
    private_dirs: dict[str, Path],
    path: str,
    argv: list[str],
    scripted: Scripted,
    says: str,
) -> None:
    good = run_cli(*argv, "--json", check=True)
    age_lists(private_dirs["cache"], 24 * 30)  # a month old: asked again
    config = private_dirs["config"]
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("timeout = 1.0\ndeadline = 2.0\n")
    feeds.script(path, scripted)
    failed = run_cli(*argv, "--json")
    assert failed.returncode == 0, failed.stderr
    assert json.loads(failed.stdout) == json.loads(good.stdout)  # nothing lost or replaced
    assert "the cached answer is shown" in failed.stderr and says in failed.stderr
    offline = run_cli(*argv, "--json", "--offline")
    assert json.loads(offline.stdout) == json.loads(good.stdout)


def test_a_damaged_topics_file_is_set_aside_and_config_topics_are_kept(
    private_dirs: dict[str, Path],
) -> None:
    from paperterm.topics import TopicStore, topics_from_config

    problems: list[str] = []
    configured = topics_from_config(
        [{"name": "LoRA", "query": "lora"}, {"name": "no query"}], problems
    )
    assert [t.name for t in configured] == ["LoRA"] and "needs a name and a query" in problems[0]
    path = private_dirs["data"] / "topics.toml"
    store = TopicStore(path, configured).load()
    store.add("Kazakh", "kazakh")
    store.visited(store.topics[0], ["2404.04487"], datetime(2026, 1, 1, tzinfo=UTC))
    path.write_text("this is [not toml")
    again = TopicStore(path, topics_from_config([{"name": "LoRA", "query": "lora"}], [])).load()
    assert again.problem and "set aside" in again.problem
    assert list(path.parent.glob("topics.toml.corrupt-*"))  # kept, not overwritten
    # From the backup: the last good file read before the damage (one save behind).
    assert [t.name for t in again.topics] == ["LoRA", "Kazakh"]


def test_one_paper_is_the_newest_copy_any_feed_brought() -> None:
    from paperterm.model import Paper
    from paperterm.paperbook import PaperBook

    morning = datetime(2026, 8, 21, 8, tzinfo=UTC)
    day_copy = Paper("2608.00001", "A title", date(2026, 8, 21), upvotes=5)
    search_copy = Paper("2608.00001", "A title", date(2026, 8, 20), upvotes=40, github_stars=9)
    book = PaperBook()
    days = (day_copy,)
    assert book.merge(days, morning) is days  # nothing newer: the same tuple, caches hold
    found = book.merge((search_copy,), morning + timedelta(hours=3))
    assert found == (search_copy,)
    later_day = book.merge((day_copy,), morning + timedelta(hours=1))  # an older answer
    assert later_day[0].upvotes == 40 and later_day[0].github_stars == 9
    assert later_day[0].day == date(2026, 8, 21)  # listed on its own feed's day
    assert book.newest(day_copy).upvotes == 40


async def test_hostile_search_highlights_and_queries_render_as_text(
    feeds: FakeHF, private_dirs: dict[str, Path]
) -> None:
    item = json.loads(json.dumps(KAZAKH[0]))
    item["highlightedTitle"] = [
        {"type": "highlight", "text": "[@click=app.quit]Kaz[/]\x1b[2J"},
        {"type": "text", "text": " rest"},
    ]
    item["paper"]["title"] = "[@click=app.quit]Kaz[/] \x1b]8;;http://evil\x07 Dataset"
    feeds.add_search("[b]kaz[/b]", [item])
    app = make_app(private_dirs, end=None, days=None, now=AFTER_WEEK)
    async with app.run_test(size=(130, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("F", *"[b]kaz[/b]", "enter")
        await settled(app, pilot)
        screen = app.screen
        assert isinstance(screen, ListScreen)
        rows = "\n".join(screen.paper_list.render_line(y).text for y in range(4))
        assert "[@click=app.quit]Kaz[/]" in rows and "\x1b" not in rows
        assert "Search: [b]kaz[/b]" in screen.status_bar.plain  # the query, as typed
        await pilot.click("#papers", offset=(20, 1))
        await pilot.pause()
        assert app.is_running
