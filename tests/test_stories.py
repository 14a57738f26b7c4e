"""User stories no test told before: Space at the abstract's end, j/k in the abstract,
`]` past the oldest day, and how `$BROWSER` becomes a command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import FRI, THU
from hfserver import FakeHF
from test_app import current, make_app, settle
from test_mornings import headers

from paperterm.browser import BrowserOpener


async def test_space_pages_the_abstract_then_goes_to_the_next_unread(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    app = make_app(private_dirs, end=FRI, days=1)
    async with app.run_test(size=(100, 20)) as pilot:  # short: the abstract needs scrolling
        await settle(app, pilot)
        first = current(app)
        pane = app.reader.abstract
        assert pane.max_scroll_y > 0
        while pane.scroll_y < pane.max_scroll_y:
            before = pane.scroll_y
            await pilot.press("space")
            await pilot.pause()
            assert pane.scroll_y > before and app.reader.paper_list.paper == first
        await pilot.press("space")  # at the end: the next unread paper
        await pilot.pause()
        assert app.reader.paper_list.paper != first and pane.scroll_y == 0


async def test_j_and_k_scroll_the_abstract_when_it_has_focus(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    app = make_app(private_dirs, end=FRI, days=1)
    async with app.run_test(size=(130, 20)) as pilot:
        await settle(app, pilot)
        paper = current(app)
        await pilot.press("tab")
        assert app.focused is app.reader.abstract
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert app.reader.abstract.scroll_y == 3 and app.reader.paper_list.paper == paper
        await pilot.press("k")
        await pilot.pause()
        assert app.reader.abstract.scroll_y == 2
        await pilot.press("tab", "j")
        assert app.reader.paper_list.paper != paper  # back in the list, j moves the cursor


async def test_next_day_past_the_oldest_loads_older_days(
    site: FakeHF, private_dirs: dict[str, Path]
) -> None:
    app = make_app(private_dirs, end=FRI, days=2)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        assert headers(app) == [FRI, THU]
        await pilot.press("right_square_bracket")  # to Thursday
        await pilot.press("right_square_bracket")  # past the oldest: the week before loads
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert date(2024, 7, 31) in headers(app) and date(2024, 7, 26) in headers(app)


@pytest.mark.parametrize(
    ("browser", "argv"),
    [
        ("firefox", ["firefox", "URL"]),
        ("firefox --new-tab", ["firefox", "--new-tab", "URL"]),
        ("open-it %s --now", ["open-it", "URL", "--now"]),
        ("no-such-browser:firefox", ["firefox", "URL"]),
        ("'my browser' --x", ["my browser", "--x", "URL"]),
    ],
)
def test_browser_argument_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, browser: str, argv: list[str]
) -> None:
    for name in ("firefox", "open-it", "my browser"):
        exe = tmp_path / name
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("BROWSER", browser)
    ran: list[list[str]] = []
    opener = BrowserOpener()
    monkeypatch.setattr(opener, "_run", lambda cmd, attached: ran.append(cmd) or True)  # type: ignore[func-returns-value]
    assert opener.open("https://arxiv.org/abs/2407.21783")
    url = "https://arxiv.org/abs/2407.21783"
    assert ran == [[url if part == "URL" else part for part in argv]]


def test_a_console_browser_takes_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exe = tmp_path / "lynx"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("BROWSER", "lynx")
    assert BrowserOpener().needs_terminal()
