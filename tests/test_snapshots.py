"""Snapshots of what a user sees, from a real corpus week (see tests/demo.py).

Update with `pytest tests/test_snapshots.py --snapshot-update` and review the diff in
snapshot_report.html before committing: a snapshot update is a UI change to be read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import pytest
from demo import DEMO_DAYS, NoBrowser, corpus_bodies, make_demo_app
from textual.pilot import Pilot

from paperterm.app import PapertermApp

SIZE = (132, 36)


@pytest.fixture(scope="module")
def bodies() -> dict[date, bytes]:
    return corpus_bodies(DEMO_DAYS)


async def ready(pilot: Pilot[None]) -> None:
    assert isinstance(pilot.app, PapertermApp)
    await asyncio.wait_for(pilot.app.reader.refreshed.wait(), timeout=30)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def pressed(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Ready, these keys pressed, and what they started finished: a read mark or star they
    made is saved (and painted as saved) before the shot, not caught half-way."""

    async def run(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press(*keys)
        await settled(pilot)

    return run


def hold_cursor(pilot: Pilot[None]) -> None:
    """A blinking cursor is on or off at the moment of the shot: hold the field's on."""
    from textual.widgets import Input

    pilot.app.screen.query_one(Input).cursor_blink = False


def demo(tmp_path: Path, bodies: dict[date, bytes]) -> PapertermApp:
    return make_demo_app(tmp_path, opener=NoBrowser(), bodies=bodies)


def test_main_view(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    assert snap_compare(demo(tmp_path, bodies), terminal_size=SIZE, run_before=pressed("j", "j"))


def test_filter_in_use(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    keys = ["slash", *"diffusion video", "enter"]
    assert snap_compare(demo(tmp_path, bodies), terminal_size=SIZE, run_before=pressed(*keys))


def test_query_language(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    keys = ["slash", *"has:code upvotes:>=10 -survey", "enter"]
    assert snap_compare(demo(tmp_path, bodies), terminal_size=SIZE, run_before=pressed(*keys))


def test_help_screen(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    assert snap_compare(
        demo(tmp_path, bodies), terminal_size=SIZE, run_before=pressed("question_mark")
    )


def test_link_picker(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    assert snap_compare(demo(tmp_path, bodies), terminal_size=SIZE, run_before=pressed("l"))


def test_narrow_list(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    """80x24: one pane at a time, the list first, titles at full width."""
    assert snap_compare(demo(tmp_path, bodies), terminal_size=(80, 24), run_before=pressed("j"))


def test_narrow_paper(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    """80x24 after Enter: the paper alone (Esc goes back to the list)."""
    assert snap_compare(
        demo(tmp_path, bodies), terminal_size=(80, 24), run_before=pressed("j", "enter")
    )


def test_goto_dialog(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    """The go-to-day dialog, with a date typed."""
    assert snap_compare(
        demo(tmp_path, bodies), terminal_size=SIZE, run_before=pressed("d", *"2026-08-19")
    )


def test_help_scrolled_to_its_end(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    """Help on a short terminal, G pressed: the query language's last lines are there."""
    assert snap_compare(
        demo(tmp_path, bodies), terminal_size=(100, 24), run_before=pressed("question_mark", "G")
    )


def test_command_palette(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    """Ctrl+P, "star" typed: the reader's commands, each with its key."""

    async def typed(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("ctrl+p")
        hold_cursor(pilot)
        await pilot.press(*"star")
        # The palette searches in a worker and shows its hits as they come: wait until the
        # list has them and has stopped changing (a loaded machine is slower to get there).
        from textual.command import CommandList

        seen = -1
        for _ in range(100):
            await pilot.pause(0.05)
            await pilot.app.workers.wait_for_complete()
            count = pilot.app.screen.query_one(CommandList).option_count
            if count and count == seen:
                break
            seen = count
        await pilot.pause()

    assert snap_compare(demo(tmp_path, bodies), terminal_size=SIZE, run_before=typed)


def test_nothing_cached_offline(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    """Offline with an empty cache: the list says so, and what to do."""
    assert snap_compare(
        make_demo_app(tmp_path, opener=NoBrowser(), bodies={}),
        terminal_size=SIZE,
        run_before=ready,
    )


async def settled(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_search_results(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    """F, "kazakh": the site's answer by publication month, its matched words marked."""

    async def searched(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("F", *"kazakh", "enter")
        await settled(pilot)

    assert snap_compare(demo(tmp_path, bodies), terminal_size=SIZE, run_before=searched)


def test_feed_list(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    """f: every feed, with what it holds."""
    assert snap_compare(demo(tmp_path, bodies), terminal_size=SIZE, run_before=pressed("f"))


def test_search_prompt(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    """F: the search prompt, a query typed."""

    async def typing(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("F")
        hold_cursor(pilot)
        await pilot.press(*"LoRA fine-tuning")
        await pilot.pause()

    assert snap_compare(demo(tmp_path, bodies), terminal_size=SIZE, run_before=typing)


def test_starred(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    """f 5: every starred paper, newest star first, from the cache."""

    async def opened(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("f", "5")
        await settled(pilot)

    assert snap_compare(demo(tmp_path, bodies), terminal_size=SIZE, run_before=opened)


def test_paper_page(
    snap_compare: Callable[..., bool], tmp_path: Path, bodies: dict[date, bytes]
) -> None:
    """i 2608.09888: a starred paper's page from the cached answer, offline: what changed
    since it was looked at, who added the code, the linked dataset with its figures."""

    async def opened(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("i")
        hold_cursor(pilot)
        await pilot.press(*"2608.09888", "enter")
        await settled(pilot)

    assert snap_compare(demo(tmp_path, bodies), terminal_size=SIZE, run_before=opened)
