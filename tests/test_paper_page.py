"""The paper page (issue 14): Enter in any feed opens it, Esc comes back to the list as it
was; it shows what the site's paper page does, from `/api/papers/{id}`, cached; and any
paper opens by id or URL."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import DAY_2024, FIXTURES, PAGE_2024
from hfserver import FakeHF, Scripted
from hostile import CSI_CLEAR, OSC52
from realterm import real_terminal
from test_app import RecordingBrowser, current, notices, reader, settled
from textual.pilot import Pilot

from paperterm.app import PapertermApp
from paperterm.model import Paper
from paperterm.screens.paper import PaperScreen
from paperterm.thumbnails import choose_protocol
from paperterm.widgets.dialogs import LinkPicker

DETAIL = json.loads((FIXTURES / "paper_api_2608.09888_2026-09_reconstructed.json").read_text())
PID = "2608.09888"
SIZE = (130, 40)
DATASET_URL = "https://huggingface.co/datasets/WhySoCodius/in-context-grid-reasoning"


@pytest.fixture
def site_2024(fake_hf: FakeHF) -> FakeHF:
    """The loopback site with the 1 Aug 2024 day page."""
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    return fake_hf


def detail_of(paper: Paper, **changes: Any) -> dict[str, Any]:
    """The real answer's shape and linked repos, as if it were this paper's."""
    return {**DETAIL, "id": paper.id, "title": paper.title, **changes}


def page(app: PapertermApp) -> PaperScreen:
    screen = app.screen
    assert isinstance(screen, PaperScreen), f"not on the paper page: {screen!r}"
    return screen


async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Wait for the screen to show it: bounded, so a thing never shown fails the test."""
    for _ in range(100):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("not shown within 5 s")


def status(app: PapertermApp) -> str:
    return str(page(app).status_line.render())


async def test_enter_opens_the_page_and_esc_comes_back_where_it_was(
    site_2024: FakeHF, private_dirs: dict[str, Path]
) -> None:
    async with reader(private_dirs) as (app, pilot):
        await pilot.press("G", "k")
        paper = current(app)
        scrolled = app.reader.paper_list.scroll_offset
        site_2024.add_detail(paper.id, detail_of(paper))
        await pilot.press("enter")
        await settled(app, pilot)
        text = page(app).pane.plain
        # Everything the pane shows, and what only the site's page has.
        assert paper.title in text and f"Feed day  {paper.day:%a %d %b %Y}" in text
        assert "Org       Pathway" in text and "Submitter janchorowski" in text
        assert (
            "Code      https://github.com/pathwaycom/arc-task-gen  ★11,184  ·  added by admin"
            in text
        )
        assert "Project   https://pathway.com/blog/" in text
        assert "A 150M-parameter reasoning model" in text  # the AI summary
        assert "Keywords  in-context learning" in text
        assert "0 models" in text and "1 dataset" in text and "0 Spaces" in text
        assert "WhySoCodius/in-context-grid-reasoning  ↓108 ♥1" in text
        assert "from the site" in status(app)
        assert app.store.is_read(paper.id)  # opened is read
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.reader and current(app) is paper
        assert app.reader.paper_list.scroll_offset == scrolled
        await pilot.press("enter")  # again within the hour: from the cache, no request
        await settled(app, pilot)
        assert "cached" in status(app)
        assert site_2024.hits[f"/api/papers/{paper.id}"] == 1


async def test_the_page_opens_its_links_and_linked_repos(
    site_2024: FakeHF, private_dirs: dict[str, Path]
) -> None:
    browser = RecordingBrowser()
    async with reader(private_dirs, browser=browser) as (app, pilot):
        paper = current(app)
        site_2024.add_detail(paper.id, detail_of(paper))
        await pilot.press("enter")
        await settled(app, pilot)
        await pilot.press("enter")  # Enter on the page: every link, the dataset too
        await settled(app, pilot)
        picker = app.screen
        assert isinstance(picker, LinkPicker)
        assert picker.links[-1] == ("Dataset ↓108 ♥1", DATASET_URL)
        await pilot.press(str(len(picker.links)))
        await app.workers.wait_for_complete()
        assert browser.urls == [DATASET_URL]
        assert isinstance(app.screen, PaperScreen)
        await pilot.press("c")  # the code, as in the list
        await app.workers.wait_for_complete()
        assert browser.urls[-1] == "https://github.com/pathwaycom/arc-task-gen"
        await pilot.press("s")  # a star from the page is the list's star
        await settled(app, pilot)
        assert app.store.is_starred(paper.id) and "★ starred" in page(app).pane.plain
        await pilot.press("escape")
        await pilot.pause()
        assert "★" in app.reader.paper_list.render_line(1).text


async def test_offline_the_page_is_read_from_the_cache_or_says_why_not(
    site_2024: FakeHF, private_dirs: dict[str, Path]
) -> None:
    async with reader(private_dirs) as (app, pilot):
        first = current(app)
        site_2024.add_detail(first.id, detail_of(first))
        await pilot.press("enter")
        await settled(app, pilot)
    async with reader(private_dirs, offline=True) as (app, pilot):
        app.reader.paper_list.select_id(first.id)  # it was read: the cursor starts past it
        await pilot.pause()
        await pilot.press("enter")
        await settled(app, pilot)
        assert "cached" in status(app) and "added by admin" in page(app).pane.plain
        await pilot.press("escape", "j", "enter")
        await settled(app, pilot)
        other = page(app)
        assert other.paper.id != first.id and other.paper.title in other.pane.plain
        assert "offline, and not cached: what the list had is shown" in status(app)
        assert "On Hugging Face" not in other.pane.plain  # what the list had, no more


async def test_a_paper_the_site_does_not_know_says_so(
    site_2024: FakeHF, private_dirs: dict[str, Path]
) -> None:
    async with reader(private_dirs, notifications=True) as (app, pilot):
        await pilot.press("enter")  # no detail served for it: 404
        await settled(app, pilot)
        assert "not on Hugging Face Papers" in status(app)
        await pilot.press("escape", "i", *"2608.99999", "enter")
        await settled(app, pilot)
        assert app.screen is app.reader
        said = await notices(app, pilot)
        assert any("2608.99999: not on Hugging Face Papers" in n for n in said), said


async def test_go_to_paper_opens_any_id_or_url(
    site_2024: FakeHF, private_dirs: dict[str, Path]
) -> None:
    site_2024.add_detail(PID, DETAIL)
    async with reader(private_dirs) as (app, pilot):
        await pilot.press("i", *"not an id", "enter")
        await pilot.pause()
        assert "is not a paper id" in str(app.screen.query_one("#goto-error").render())
        await pilot.press("escape")
        await pilot.pause()
        # Pasted into the go-to-day dialog: an id no list here holds is looked up.
        await pilot.press("d", *f"https://arxiv.org/abs/{PID}v2", "enter")
        await settled(app, pilot)
        shown = page(app)
        assert shown.paper.id == PID and "BDH-CQ" in shown.pane.plain
        assert "1 dataset" in shown.pane.plain
        await pilot.press("escape")
        await pilot.pause()
        listed = app.reader.paper_list.papers[4]
        await pilot.press("i", *f"https://huggingface.co/papers/{listed.id}", "enter")
        await settled(app, pilot)
        assert page(app).paper.id == listed.id
        await pilot.press("escape")
        await pilot.pause()
        assert current(app).id == listed.id  # the cursor went to it in the list


async def test_hostile_text_in_the_answer_stays_text(
    site_2024: FakeHF, private_dirs: dict[str, Path]
) -> None:
    async with reader(private_dirs) as (app, pilot):
        paper = current(app)
        hostile = detail_of(
            paper,
            githubRepoAddedBy=f"[@click=app.quit]admin[/]{OSC52}",
            organization={"name": "x", "fullname": f"[b]Org{CSI_CLEAR}"},
            linkedSpaces=[{"id": "evil/[@click=app.quit]x", "likes": 3}, {"id": "ok/space"}],
            numTotalSpaces=2,
        )
        site_2024.add_detail(paper.id, hostile)
        await pilot.press("enter")
        await settled(app, pilot)
        text = page(app).pane.plain
        assert "added by [@click=app.quit]admin[/]" in text and "\x1b" not in text
        assert "[b]Org" in text
        assert "ok/space" in text and "2 Spaces" in text
        await pilot.click("#page")
        await pilot.pause()
        assert app.is_running


# ---------------------------------------------------------------- the thumbnail


def small_png() -> bytes:
    """A 64x32 gradient: small, and unlike any other picture."""
    import io

    from PIL import Image

    image = Image.new("RGB", (64, 32))
    image.putdata([(x * 4, y * 8, 128) for y in range(32) for x in range(64)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def serve_thumbnail(
    site: FakeHF, monkeypatch: pytest.MonkeyPatch, paper_id: str, body: bytes
) -> str:
    path = f"/thumbs/{paper_id}.png"
    site.script(path, Scripted(200, body, {"Content-Type": "image/png"}))
    monkeypatch.setenv("PAPERTERM_THUMBNAIL_URL", f"{site.url}/thumbs/{{id}}.png")
    return path


async def test_the_thumbnail_is_drawn_in_cells_and_cached(
    site_2024: FakeHF, private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = "2407.21783"
    path = serve_thumbnail(site_2024, monkeypatch, first, small_png())
    async with reader(private_dirs, image_protocol="cells") as (app, pilot):
        app.reader.paper_list.select_id(first)
        await pilot.press("enter")
        await settled(app, pilot)
        thumb = app.screen.query_one("#thumb")
        assert thumb.region.size == (42, 11)  # a card's shape, for 10x20-pixel cells
        # Half blocks, each cell two pixels: the picture, not blank cells.
        await until(pilot, lambda: app.export_screenshot().count("▀") >= 400)
        page_width = page(app).pane.size.width
        assert page_width < SIZE[0] - 40  # the text beside it, not under it
        await pilot.press("escape", "enter")
        await settled(app, pilot)
    assert site_2024.hits[path] == 1  # fetched once, then cached
    async with reader(private_dirs, offline=True, image_protocol="cells") as (offline, pilot):
        offline.reader.paper_list.select_id(first)
        await pilot.press("enter")
        await settled(offline, pilot)
        assert offline.screen.query("#thumb")
    assert site_2024.hits[path] == 1


async def test_no_image_or_a_bad_one_leaves_the_page_as_it_was(
    site_2024: FakeHF, private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = "2407.21783"
    serve_thumbnail(site_2024, monkeypatch, first, b"<html>rate limited</html>")
    async with reader(private_dirs, image_protocol="cells", notifications=True) as (app, pilot):
        app.reader.paper_list.select_id(first)
        await pilot.press("enter")
        await settled(app, pilot)
        assert not app.screen.query("#thumb")
        assert not await notices(app, pilot)  # never required: nothing to say
        await pilot.press("escape", "j", "enter")  # no thumbnail served at all: 404
        await settled(app, pilot)
        assert not app.screen.query("#thumb")
    kept = private_dirs["cache"] / "thumbnails"
    assert not kept.exists() or not list(kept.iterdir())  # junk is never cached
    async with reader(private_dirs, image_protocol="cells", size=(80, 24)) as (narrow, pilot):
        await pilot.press("enter")
        await settled(narrow, pilot)
        assert not narrow.screen.query("#thumb")  # the text keeps the width
        assert site_2024.hits["/thumbs/2407.21783.png"] == 1  # not even asked for


def test_the_way_to_draw_comes_from_the_setting_and_the_terminal() -> None:
    kitty = {"TERM": "xterm-kitty", "KITTY_WINDOW_ID": "1"}
    assert choose_protocol("auto", kitty, True) == "kitty"
    assert choose_protocol("auto", {"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, True) == (
        "sixel"
    )
    assert choose_protocol("auto", {"TERM": "foot"}, True) == "sixel"
    assert choose_protocol("auto", {"TERM": "xterm-256color"}, True) == "cells"
    assert choose_protocol("auto", {**kitty, "TMUX": "/tmp/tmux"}, True) == "cells"
    assert choose_protocol("cells", kitty, True) == "cells"
    assert choose_protocol("off", kitty, True) == "off"
    assert choose_protocol("auto", kitty, False) == "off"  # not a terminal
    assert choose_protocol("auto", {"TERM": "dumb"}, True) == "off"


KITTY_GRAPHICS = b"\x1b_G"
SIXEL = re.compile(rb"\x1bP[0-9;]*q")
PROBES = (b"\x1b[16t", b"a=q", b"\x1b[c")
"""What textual-image would write to ask the terminal (cell size, Kitty, Sixel)."""


@pytest.mark.parametrize(
    ("term", "setting", "graphics", "cells"),
    [
        ("xterm-kitty", "auto", True, False),  # Kitty: the picture as graphics
        ("xterm-kitty", "off", False, False),  # off by the setting: nothing at all
        ("xterm-256color", "auto", False, True),  # no graphics: half blocks, no image bytes
    ],
)
def test_what_a_real_terminal_is_sent(
    fake_hf: FakeHF,
    private_dirs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    term: str,
    setting: str,
    graphics: bool,
    cells: bool,
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    first = "2407.21783"
    serve_thumbnail(fake_hf, monkeypatch, first, small_png())
    fake_hf.add_detail(first, {**DETAIL, "id": first, "title": "The Llama 3 Herd of Models"})
    private_dirs["config"].mkdir(parents=True, exist_ok=True)
    (private_dirs["config"] / "config.toml").write_text(f'thumbnails = "{setting}"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("KITTY_WINDOW_ID", "TERM_PROGRAM")}
    argv = [sys.executable, "-m", "paperterm", "--date", str(DAY_2024), "--days", "1"]
    with real_terminal(argv, env, rows=40, cols=130, term=term) as shown:
        assert shown.read_until(b"Llama 3 Herd", 20)
        shown.settle(0.5)
        shown.type(b"g\r")  # the first paper's page
        assert shown.read_until(b"Abstract", 10)
        shown.settle(1.5)
        painted = shown.screen
        shown.type(b"q")
        assert shown.proc.wait(timeout=10) == 0
    assert (KITTY_GRAPHICS in painted) is graphics
    assert not SIXEL.search(painted)
    assert ("▀".encode() in painted) is cells
    assert not [p for p in PROBES if p in painted], "the terminal was asked what it can draw"
    hits = fake_hf.hits[f"/thumbs/{first}.png"]
    assert hits == (0 if setting == "off" else 1)


async def test_n_on_the_page_opens_the_next_unread_papers_page(
    site_2024: FakeHF, private_dirs: dict[str, Path]
) -> None:
    async with reader(private_dirs) as (app, pilot):
        first = current(app)
        await pilot.press("enter")
        await settled(app, pilot)
        await pilot.press("n")  # the next unread paper, read on its page
        await settled(app, pilot)
        shown = page(app)
        assert shown.paper.id != first.id and shown.paper.title in shown.pane.plain
        assert app.store.is_read(shown.paper.id) and app.store.is_read(first.id)
        await pilot.press("escape")
        await pilot.pause()
        assert current(app).id == shown.paper.id  # the list's cursor went along
