"""Since-last-visit, new papers, sort, mark-day, undo, hide-read, date navigation:
the reader over real corpus days with a fixed 'today'."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import load_corpus_file
from hfserver import FakeHF
from test_app import current, make_app, notices, row_texts, settle

from paperterm.model import Paper
from paperterm.state import StateStore

WEEK = [date(2024, 7, 29) + timedelta(days=i) for i in range(5)]  # Mon 29 Jul .. Fri 2 Aug
TODAY = datetime(2024, 8, 2, 9, 0, tzinfo=UTC)
SIZE = (130, 40)


@pytest.fixture
def site(fake_hf: FakeHF, corpus_dir: Path):  # type: ignore[no-untyped-def]
    for day in [*WEEK, *(WEEK[0] - timedelta(days=i) for i in range(1, 12))]:
        path = corpus_dir / f"{day}.json"
        if path.exists():
            fake_hf.add_api_day(day, load_corpus_file(path))
    return fake_hf


def ids_of(fake_hf: FakeHF, day: date) -> list[str]:
    return [i["paper"]["id"] for i in fake_hf.api_days[day] if isinstance(i, dict)]


def remember_visit(
    private_dirs: dict[str, Path], when: datetime, seen_ids: list[str], days: list[date]
) -> None:
    store = StateStore(private_dirs["data"] / "state.toml", clock=lambda: when).load()
    store.record_visit()
    store.save()
    seen = {
        "version": 1,
        "days": [d.isoformat() for d in days],
        "papers": {i: [0] for i in seen_ids},
    }
    private_dirs["data"].mkdir(parents=True, exist_ok=True)
    (private_dirs["data"] / "seen.json").write_text(json.dumps(seen))


def launch(private_dirs: dict[str, Path], **kw):  # type: ignore[no-untyped-def]
    """The reader as `paperterm` with no --date: the newest day and the days since the visit."""
    return make_app(private_dirs, end=None, days=None, now=TODAY, **kw)


async def test_last_visit_three_days_back_loads_those_days_and_marks_unseen(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    # Last visit Tue 30 Jul: the user had seen Mon and Tue, but Tue only partly (it grew).
    tue = ids_of(site, WEEK[1])
    seen_tue = tue[: len(tue) // 2]
    remember_visit(
        private_dirs,
        datetime(2024, 7, 30, 9, tzinfo=UTC),
        ids_of(site, WEEK[0]) + seen_tue,
        WEEK[:2],
    )
    app = launch(private_dirs)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert (
            sorted(app.reader.feed.loaded) == WEEK[1:]
        )  # Tue .. Fri: the days since the last visit
        new = {p.id for p in app.reader.paper_list.papers if app.seen.is_new(p)}
        expected = set(tue[len(tue) // 2 :]) | {i for d in WEEK[2:] for i in ids_of(site, d)}
        assert new == expected  # exactly what the user had not seen
        assert not new & set(seen_tue)
        # The notice counts them all, in one pass over every paper loaded.
        said = f"{len(expected)} new papers since Tue 30 Jul"
        assert any(said in n for n in await notices(app, pilot))
        text = "\n".join(row_texts(app))
        assert "✦" in text
        # N walks the new papers only
        await pilot.press("g")
        for _ in range(5):
            await pilot.press("N")
            assert current(app).id in new
    # The visit is remembered: next time, today's papers are no longer new.
    again = launch(private_dirs)
    async with again.run_test(size=SIZE, notifications=True) as pilot:
        await settle(again, pilot)
        assert not any(again.seen.is_new(p) for p in again.reader.paper_list.papers)


async def test_first_run_shows_nothing_as_new(site: FakeHF, private_dirs: dict[str, Path]) -> None:
    app = launch(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.reader.paper_list.papers and not any(
            app.seen.is_new(p) for p in app.reader.paper_list.papers
        )
        assert max(app.reader.feed.loaded) == WEEK[-1]  # the newest day the site has


async def test_upvote_movement_is_shown(site: FakeHF, private_dirs: dict[str, Path]) -> None:
    fri = site.api_days[WEEK[-1]]
    top = max((i for i in fri if isinstance(i, dict)), key=lambda i: i["paper"]["upvotes"])
    remember_visit(private_dirs, datetime(2024, 8, 2, 7, tzinfo=UTC), [], [])
    seen = json.loads((private_dirs["data"] / "seen.json").read_text())
    seen["papers"][top["paper"]["id"]] = [top["paper"]["upvotes"] - 42]
    (private_dirs["data"] / "seen.json").write_text(json.dumps(seen))
    app = launch(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.reader.paper_list.select_id(top["paper"]["id"])
        await pilot.pause()
        line = next(t for t in row_texts(app) if top["paper"]["title"][:30] in t)
        assert "▲+42" in line
        assert "+42 since you last looked" in str(app.reader.abstract.plain)


async def test_sort_cycles_within_each_day(site: FakeHF, private_dirs: dict[str, Path]) -> None:
    app = make_app(private_dirs, end=WEEK[-1], days=2, now=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)

        def day_lists() -> dict[date, list[Paper]]:
            out: dict[date, list[Paper]] = {}
            for p in app.reader.paper_list.papers:
                out.setdefault(p.day, []).append(p)
            return out

        for papers in day_lists().values():
            assert [p.upvotes for p in papers] == sorted((p.upvotes for p in papers), reverse=True)
        await pilot.press("S")  # GitHub stars
        await pilot.press("S")  # comments
        for papers in day_lists().values():
            assert [p.comments for p in papers] == sorted(
                (p.comments for p in papers), reverse=True
            )
        assert "sort: comments" in app.reader.status_bar.right.plain
        await pilot.press("S", "S")  # arXiv date, then title
        for papers in day_lists().values():
            assert [p.title.casefold() for p in papers] == sorted(
                p.title.casefold() for p in papers
            )
        headers = [r.day for r in app.reader.paper_list.rows if r.is_header]
        assert headers == sorted(headers, reverse=True)  # days stay newest first


async def test_mark_day_read_respects_filter_and_undo(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    app = make_app(private_dirs, end=WEEK[-1], days=1, now=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        all_ids = {p.id for p in app.reader.paper_list.papers}
        await pilot.press("slash", *"upvotes:>=10", "enter")
        await pilot.pause()
        shown = {p.id for p in app.reader.paper_list.papers}
        assert 0 < len(shown) < len(all_ids)
        await pilot.press("M")
        await app.workers.wait_for_complete()
        assert {i for i in all_ids if app.store.is_read(i)} == shown  # only what the filter showed
        assert StateStore(private_dirs["data"] / "state.toml").load().read_ids == shown
        first = current(app).id
        await pilot.press("s")
        await pilot.press("u")  # undo the star
        assert not app.store.is_starred(first)
        await pilot.press("u")  # undo the mark-day
        await app.workers.wait_for_complete()
        assert not any(app.store.is_read(i) for i in all_ids)
        assert not StateStore(private_dirs["data"] / "state.toml").load().read_ids
        await pilot.press("u")
        assert any("Nothing to undo" in n for n in await notices(app, pilot))


async def test_hide_read(site: FakeHF, private_dirs: dict[str, Path]) -> None:
    app = make_app(private_dirs, end=WEEK[-1], days=1, now=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        total = len(app.reader.paper_list.papers)
        await pilot.press("m", "j", "m", "j")
        await pilot.press("H")
        assert len(app.reader.paper_list.papers) == total - 2
        assert "read hidden" in app.reader.status_bar.right.plain
        await pilot.press("H")
        assert len(app.reader.paper_list.papers) == total


async def test_goto_date_and_weekends_skipped(site: FakeHF, private_dirs: dict[str, Path]) -> None:
    app = make_app(private_dirs, end=WEEK[-1], days=1, now=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"2024-07-28", "enter")  # a Sunday: lands on Friday 26 Jul
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert current(app).day == date(2024, 7, 26)
        headers = [r.day for r in app.reader.paper_list.rows if r.is_header]
        assert date(2024, 7, 27) not in headers and date(2024, 7, 28) not in headers
        assert not await notices(app, pilot, errors=True)


async def test_goto_bad_date_says_so(site: FakeHF, private_dirs: dict[str, Path]) -> None:
    app = make_app(private_dirs, end=WEEK[-1], days=1, now=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"last tuesday", "enter")
        await pilot.pause()
        assert "not a date" in str(app.screen.query_one("#goto-error").render())
        await pilot.press("escape")


async def test_scrolling_past_the_oldest_day_loads_older_days(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    app = make_app(private_dirs, end=WEEK[-1], days=1, now=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert sorted(app.reader.feed.loaded) == [WEEK[-1]]
        await pilot.press("G")
        last = current(app)
        await pilot.press("j")  # past the end
        await app.workers.wait_for_complete()
        await pilot.pause()
        headers = [r.day for r in app.reader.paper_list.rows if r.is_header]
        assert headers[:5] == [WEEK[4], WEEK[3], WEEK[2], WEEK[1], WEEK[0]]
        assert date(2024, 7, 28) not in headers  # the weekend, silently skipped
        assert app.reader.paper_list.paper == last  # the cursor stays; j now goes on into Thursday
        await pilot.press("j")
        assert current(app).day == WEEK[3]
        assert not await notices(app, pilot, errors=True)


async def test_bad_query_keeps_last_good_result(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    app = make_app(private_dirs, end=WEEK[-1], days=1, now=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"upvotes:>=10")
        await pilot.pause()
        good = [p.id for p in app.reader.paper_list.papers]
        count = app.reader.status_bar.right.plain.split("  ·  ")[0].split("query: ")[-1]
        # Malformed from its first keystroke to its last: an unclosed phrase.
        await pilot.press(*' "video gen')
        await pilot.pause()
        assert [p.id for p in app.reader.paper_list.papers] == good
        status = app.reader.status_bar.right.plain
        assert "not closed" in status and count in status
        assert app.query_one("#filter").has_class("-invalid")
        # Pasted at once: the same.
        app.reader.filter_input.value = "upvotes:>=10 is:cool"
        await pilot.pause()
        assert [p.id for p in app.reader.paper_list.papers] == good
        assert "is: takes" in app.reader.status_bar.right.plain


async def test_goto_a_day_the_filter_hides_says_so(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    app = make_app(private_dirs, end=WEEK[-1], days=1, now=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"day:2024-08-02", "enter")
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"2024-07-30", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("hidden by the filter" in n for n in await notices(app, pilot))
        assert current(app).day == WEEK[-1]
