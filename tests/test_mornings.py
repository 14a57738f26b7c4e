"""Every morning right (issue 10): real corpus days, a fixed clock, the reader as a user
starts it. A Monday, a return after days away, a clock ahead of the site, a filter typed
slowly, the sort on show and remembered, and a terminal of 80x24."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import FRI, MON, MONDAY_9AM, THU, load_corpus_file
from hfserver import FakeHF
from realterm import real_terminal
from test_app import current, make_app, row_texts, settle
from test_cli import run_cli
from test_morning import remember_visit

from paperterm.screens.paper import PaperScreen

RICH = date(2025, 10, 1)
"""A day whose entries carry GitHub stars, comments and arXiv dates."""


@pytest.fixture
def rich(fake_hf: FakeHF, corpus_dir: Path):  # type: ignore[no-untyped-def]
    fake_hf.add_api_day(RICH, load_corpus_file(corpus_dir / f"{RICH}.json"))
    return fake_hf


def headers(app) -> list[date]:  # type: ignore[no-untyped-def]
    return [r.day for r in app.reader.paper_list.rows if r.is_header]


def first_unread_of(app, day: date):  # type: ignore[no-untyped-def]
    return next(
        r.paper
        for r in app.reader.paper_list.rows
        if r.paper is not None and r.day == day and not app.store.is_read(r.paper.id)
    )


async def test_a_monday_morning_shows_monday_friday_and_thursday(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    app = make_app(private_dirs, end=None, days=None, now=MONDAY_9AM)  # days = 3
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        assert headers(app) == [MON, FRI, THU]
        assert "Mon 05 Aug 2024" in row_texts(app)[0]  # the newest day's header on screen
        assert app.reader.paper_list.paper == first_unread_of(app, MON)


def test_list_days_counts_days_with_papers(site: FakeHF) -> None:
    proc = run_cli("list", "--days", "3", "--json", check=True)
    import json

    days = sorted({p["day"] for p in json.loads(proc.stdout)}, reverse=True)
    assert days == ["2024-08-05", "2024-08-02", "2024-08-01"]


def test_a_weekend_date_says_it_is_empty_and_which_day_has_papers(site: FakeHF) -> None:
    proc = run_cli("list", "--date", "2024-08-04", "--days", "1")
    assert proc.returncode == 0
    assert "Sun 2024-08-04 has no papers; the day before it with papers is Fri 2024-08-02" in (
        proc.stderr
    )
    assert "Fri 2024-08-02" in proc.stdout


def test_a_future_date_gets_one_line_in_the_reader_too(site: FakeHF) -> None:
    proc = run_cli("--date", "2999-01-01")
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "2999-01-01 is in the future" in proc.stderr and "Traceback" not in proc.stderr


def test_list_into_head_ends_quietly(site: FakeHF) -> None:
    shell = f"{sys.executable} -m paperterm list --days 3 | head -n 2"
    proc = subprocess.run(
        ["sh", "-c", shell], capture_output=True, text=True, env=os.environ.copy(), timeout=60
    )
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 2
    assert proc.stderr == ""


async def test_back_after_four_days_the_cursor_goes_to_the_newest_day(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    # Thursday's read: the cache holds the days up to Thursday.
    thursday = datetime(2024, 8, 1, 9, tzinfo=UTC)
    first = make_app(private_dirs, end=None, days=None, now=thursday)
    async with first.run_test(size=(130, 40)) as pilot:
        await settle(first, pilot)
        assert headers(first)[0] == THU
    # Monday: the cached Thursday paints first, then Friday and Monday arrive.
    site.latency = 0.3
    app = make_app(private_dirs, end=None, days=None, now=MONDAY_9AM)
    async with app.run_test(size=(130, 40)) as pilot:
        await asyncio.wait_for(_until(lambda: app.reader.paper_list.paper is not None), 10)
        assert headers(app)[0] == THU  # the cached first paint
        await settle(app, pilot)
        assert headers(app)[:3] == [MON, FRI, THU]
        assert app.reader.paper_list.paper == first_unread_of(app, MON)
        assert "Mon 05 Aug 2024" in row_texts(app)[0]
        # The Thursday paper the cursor first sat on was passed through, not read.
        assert not app.store.is_read(first_unread_of(app, THU).id)


async def test_a_user_who_moved_is_not_jumped(site: FakeHF, private_dirs: dict[str, Path]) -> None:
    thursday = datetime(2024, 8, 1, 9, tzinfo=UTC)
    first = make_app(private_dirs, end=None, days=None, now=thursday)
    async with first.run_test(size=(130, 40)) as pilot:
        await settle(first, pilot)
    site.latency = 0.5
    app = make_app(private_dirs, end=None, days=None, now=MONDAY_9AM)
    async with app.run_test(size=(130, 40)) as pilot:
        await asyncio.wait_for(_until(lambda: app.reader.paper_list.paper is not None), 10)
        await pilot.press("j", "j")
        chosen = current(app)
        await settle(app, pilot)
        assert headers(app)[0] == MON  # Monday arrived ...
        assert app.reader.paper_list.paper == chosen  # ... and the cursor stayed where it was put


async def test_since_the_last_visit_skips_the_weekend(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    remember_visit(private_dirs, datetime(2024, 7, 31, 9, tzinfo=UTC), [], [])
    app = make_app(private_dirs, end=None, days=None, now=MONDAY_9AM)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        # Every day since Wednesday's visit, more than `days = 3`, weekend skipped.
        assert headers(app) == [MON, FRI, THU, date(2024, 7, 31)]


async def test_a_clock_months_ahead_shows_the_newest_cached_days(
    site: FakeHF, private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_app(private_dirs, end=None, days=None, now=datetime(2024, 8, 2, 9, tzinfo=UTC))
    async with first.run_test(size=(130, 40)) as pilot:
        await settle(first, pilot)
    monkeypatch.setenv("PAPERTERM_BASE_URL", "http://127.0.0.1:9")  # and no network
    app = make_app(private_dirs, end=None, days=None, now=datetime(2024, 12, 1, 9, tzinfo=UTC))
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        assert headers(app)[:3] == [FRI, THU, date(2024, 7, 31)]
        assert app.reader.paper_list.paper == first_unread_of(app, FRI)


async def test_typing_a_filter_for_five_seconds_marks_nothing_read(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    app = make_app(private_dirs, end=FRI, days=1, read_delay=0.4)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        for ch in "model":  # five seconds in the field, the list narrowing under it
            await pilot.press(ch)
            await pilot.pause(1.0)
        assert not app.store.read_ids, "papers were marked read while the user typed"
        await pilot.press("enter")  # back in the list: now it is being looked at
        await pilot.pause(0.9)
        assert app.reader.paper_list.paper is not None
        assert app.store.is_read(current(app).id)


async def test_the_sort_shows_its_figure_and_is_remembered(
    rich: FakeHF, private_dirs: dict[str, Path]
) -> None:
    app = make_app(private_dirs, end=RICH, days=1, now=datetime(2025, 10, 2, 9, tzinfo=UTC))
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("S")  # GitHub stars
        starred = next(p for p in app.reader.paper_list.papers if p.github_stars)
        app.reader.paper_list.select_id(starred.id)
        await pilot.pause()
        line = next(t for t in row_texts(app) if starred.title[:25] in t)
        assert f" {starred.github_stars} " in line and f" {starred.upvotes} " not in line
        await pilot.press("S")  # comments
        busy = max(app.reader.paper_list.papers, key=lambda p: p.comments)
        line = next(t for t in row_texts(app) if busy.title[:25] in t)
        assert f" {busy.comments} " in line
        await pilot.press("S")  # arXiv date
        dated = next(p for p in app.reader.paper_list.papers if p.published)
        line = next(t for t in row_texts(app) if dated.title[:25] in t)
        assert f"{dated.published:%b%d}" in line
        await pilot.press("H")
        await app.workers.wait_for_complete()
    again = make_app(private_dirs, end=RICH, days=1, now=datetime(2025, 10, 2, 9, tzinfo=UTC))
    async with again.run_test(size=(130, 40)) as pilot:
        await settle(again, pilot)
        status = again.reader.status_bar.right.plain
        assert "sort: arXiv date" in status and "read hidden" in status
    prefs = tomllib.loads((private_dirs["data"] / "view.toml").read_text())
    assert prefs == {"sort": "published", "hide_read": True}


async def test_80x24_shows_the_list_then_the_paper(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    app = make_app(private_dirs, end=FRI, days=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.reader.single_pane and not app.reader.abstract.display
        paper = current(app)
        row = next(t for t in row_texts(app) if paper.title[:20] in t)
        assert paper.title[:50] in row or paper.title in row  # titles stay readable
        await pilot.press("enter")  # the paper's page, the whole width
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        page = app.screen
        assert isinstance(page, PaperScreen) and paper.title in page.pane.plain
        assert page.pane.size.width >= 76 and not page.query("#thumb")
        shown = [page.pane.render_line(y).text for y in range(page.pane.size.height)]
        at = next(i for i, line in enumerate(shown) if line.startswith("Authors   "))
        if len(", ".join(paper.authors)) > 60:  # the names need more than one line
            assert shown[at + 1].startswith(" " * 10) and shown[at + 1][10] != " "
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.reader and current(app) is paper
        assert app.reader.paper_list.display and app.focused is app.reader.paper_list
        await pilot.press("tab")  # the list and the abstract take turns
        await pilot.pause()
        assert app.reader.abstract.display and not app.reader.paper_list.display
        assert app.focused is app.reader.abstract and paper.title in app.reader.abstract.plain
        await pilot.press("escape")
        await pilot.pause()
        assert app.reader.paper_list.display and app.focused is app.reader.paper_list
        await pilot.press("v")  # side by side, on request
        await pilot.pause()
        assert app.reader.paper_list.display and app.reader.abstract.display
        status = app.reader.status_bar.right.plain
        assert "papers" in status  # no toast over the counts: they sit above the status


async def test_counts_agree_with_their_nouns(rich: FakeHF, private_dirs: dict[str, Path]) -> None:
    app = make_app(private_dirs, end=RICH, days=1, now=datetime(2025, 10, 2, 9, tzinfo=UTC))
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        one = next((p for p in app.reader.paper_list.papers if p.comments == 1), None)
        if one is not None:
            app.reader.paper_list.select_id(one.id)
            await pilot.pause()
            assert "✎ 1 comment" in str(app.reader.abstract.plain)
            assert "1 comments" not in str(app.reader.abstract.plain)
        coded = next(p for p in app.reader.paper_list.papers if p.github_stars is not None)
        app.reader.paper_list.select_id(coded.id)
        await pilot.pause()
        assert f"★{coded.github_stars:,}" in str(app.reader.abstract.plain)


async def test_the_link_picker_copies_a_link(site: FakeHF, private_dirs: dict[str, Path]) -> None:
    app = make_app(private_dirs, end=FRI, days=1)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        paper = current(app)
        await pilot.press("l", "down", "y")
        assert app.clipboard == paper.links[1][1]
        await pilot.press("escape", "y")
        assert app.clipboard == f"{paper.id} {paper.hf_url}"


def test_80x24_in_a_real_terminal(site: FakeHF, private_dirs: dict[str, Path]) -> None:
    """The reader in a real 80x24 pty: the list alone, full titles, then the paper."""
    run_cli("fetch", "--date", str(FRI), "--days", "1", check=True)
    argv = [sys.executable, "-m", "paperterm", "--offline", "--date", str(FRI), "--days", "1"]
    with real_terminal(argv, dict(os.environ), rows=24, cols=80) as term:
        assert term.read_until(b"Fri 02 Aug 2024", 20)
        term.settle(1.0)
        assert b"Authors" not in term.screen  # one pane: the list only
        term.type(b"\r")
        assert term.read_until(b"Authors", 5) and term.read_until(b"Abstract", 2)
        term.type(b"\x1b")
        term.settle(0.5)
        term.type(b"q")
        assert term.proc.wait(timeout=10) == 0


async def _until(condition) -> None:  # type: ignore[no-untyped-def]
    while not condition():
        await asyncio.sleep(0.02)


def test_long_urls_break_after_their_parts() -> None:
    from textual.content import Content

    from paperterm.widgets.abstract import hang

    url = "https://github.com/ant-research/very-long-repository-name-for-testing"
    laid = hang(Content(f"Code      {url}  ★1,234"), 50)[0].plain.split("\n")
    assert laid == [
        "Code      https://github.com/ant-research/very-",
        "          long-repository-name-for-testing  ★1,234",
    ]


async def test_a_read_delay_of_zero_waits_while_the_filter_is_typed(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    app = make_app(private_dirs, end=FRI, days=1, read_delay=0.0)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        first = current(app)
        assert first is not None and app.store.is_read(first.id)  # looked at: read at once
        await pilot.press("slash", *"agent")
        await pilot.pause(0.3)
        typed_over = current(app)
        assert typed_over is not None and not app.store.is_read(typed_over.id)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.store.is_read(typed_over.id)
    assert app.return_code in (0, None)
