"""The reader driven by Pilot over real captures served from loopback."""

from __future__ import annotations

import asyncio
import contextlib
import json
import tomllib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import DAY_2024, PAGE_2024, PAGE_2026, load_corpus_file
from hfserver import FakeHF
from textual.content import Content
from textual.pilot import Pilot

from paperterm.app import PapertermApp
from paperterm.config import load_config
from paperterm.factory import build_app
from paperterm.library import Library
from paperterm.model import Paper
from paperterm.seen import SeenStore
from paperterm.state import StateStore
from paperterm.thumbnails import Protocol as ImageProtocol
from paperterm.widgets.abstract import AbstractPane
from paperterm.widgets.keybar import KeyBar
from paperterm.widgets.paper_list import PaperList

SIZE = (130, 40)
AFTER_2024 = datetime(2024, 8, 2, 9, 0, tzinfo=UTC)


class RecordingBrowser:
    def __init__(self) -> None:
        self.urls: list[str] = []

    def needs_terminal(self) -> bool:
        return False

    def open(self, url: str) -> bool:
        self.urls.append(url)
        return True


def make_app(
    private_dirs: dict[str, Path],
    *,
    end: date | None = DAY_2024,
    days: int | None = 1,
    now: datetime = AFTER_2024,
    read_delay: float = 60.0,
    offline: bool = False,
    browser: RecordingBrowser | None = None,
    image_protocol: ImageProtocol = "off",
) -> PapertermApp:
    config = load_config()
    config.read_delay = read_delay
    library = Library(config, clock=lambda: now)
    store = StateStore(private_dirs["data"] / "state.toml", clock=lambda: now)
    return build_app(
        library,
        store,
        seen=SeenStore(private_dirs["data"] / "seen.json"),
        config=config,
        end_date=end,
        days=days,
        offline=offline,
        opener=browser or RecordingBrowser(),
        clock=lambda: now,
        image_protocol=image_protocol,
    )


@contextlib.asynccontextmanager
async def reader(
    private_dirs: dict[str, Path],
    *,
    size: tuple[int, int] = SIZE,
    notifications: bool = False,
    **options: Any,
) -> AsyncIterator[tuple[PapertermApp, Pilot[None]]]:
    """A reader built by `make_app(private_dirs, **options)`, running and settled."""
    app = make_app(private_dirs, **options)
    async with app.run_test(size=size, notifications=notifications) as pilot:
        await settle(app, pilot)
        yield app, pilot


async def settle(app: PapertermApp, pilot: Pilot[None]) -> None:
    # Bounded: an app that died must fail the test, not hang it.
    await asyncio.wait_for(app.reader.refreshed.wait(), timeout=30)
    await settled(app, pilot)


async def settled(app: PapertermApp, pilot: Pilot[None]) -> None:
    """What the last key started has finished and is painted (its workers included)."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def notices(app: PapertermApp, pilot: Pilot[None], *, errors: bool = False) -> list[str]:
    """The notifications on screen now, as the user reads them (the toasts' text);
    `errors`: only those shown as errors."""
    await pilot.pause()
    return [
        toast.render().plain  # type: ignore[union-attr]
        for toast in app.screen.query("Toast")
        if not errors or toast.has_class("-error")
    ]


def current(app: PapertermApp) -> Paper:
    """The paper under the cursor (a test that expects none asserts on `.paper` itself)."""
    paper = app.reader.paper_list.paper
    assert paper is not None, "no paper under the cursor"
    return paper


def row_texts(app: PapertermApp) -> list[str]:
    plist = app.reader.paper_list
    return [plist.render_line(y).text for y in range(plist.size.height)]


def titles(app: PapertermApp) -> list[str]:
    return [p.title for p in app.reader.paper_list.papers]


@pytest.fixture
def week(fake_hf: FakeHF, corpus_dir: Path) -> FakeHF:
    """2024-07-29 .. 2024-08-01 from the corpus API, and the real 2024-08-01 page."""
    for day in ("2024-07-29", "2024-07-30", "2024-07-31"):
        fake_hf.add_api_day(date.fromisoformat(day), load_corpus_file(corpus_dir / f"{day}.json"))
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    return fake_hf


async def test_start_paints_day_and_cursor_on_first_unread(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    store = StateStore(private_dirs["data"] / "state.toml").load()
    store.set_read("2407.21783")  # the top paper is already read
    store.save()
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        lines = row_texts(app)
        assert "Thu 01 Aug 2024" in lines[0] and "13 papers" in lines[0] and "12 unread" in lines[0]
        assert "The Llama 3 Herd of Models" in lines[1] and "94" in lines[1]
        assert current(app).title.startswith("Tora")  # first unread
        body = app.reader.abstract.plain
        assert "Tora: Trajectory-oriented Diffusion Transformer" in str(body)
        assert "13 papers" in app.reader.status_bar.right.plain


async def test_movement_keys(fake_hf: FakeHF, private_dirs: dict[str, Path]) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        all_titles = titles(app)
        assert current(app).title == all_titles[0]
        await pilot.press("j")
        assert current(app).title == all_titles[1]
        await pilot.press("down", "down")
        assert current(app).title == all_titles[3]
        await pilot.press("k", "up")
        assert current(app).title == all_titles[1]
        await pilot.press("G")
        assert current(app).title == all_titles[-1]
        await pilot.press("g")
        assert current(app).title == all_titles[0]
        await pilot.press("end")
        assert current(app).title == all_titles[-1]
        await pilot.press("home", "pagedown")
        assert current(app).title != all_titles[0]
        await pilot.press("pageup")
        assert current(app).title == all_titles[0]


async def test_days_sections_and_day_keys(week: FakeHF, private_dirs: dict[str, Path]) -> None:
    app = make_app(private_dirs, days=4)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        headers = [r.day for r in app.reader.paper_list.rows if r.is_header]
        assert headers == [
            date(2024, 8, 1),
            date(2024, 7, 31),
            date(2024, 7, 30),
            date(2024, 7, 29),
        ]
        assert current(app).day == date(2024, 8, 1)
        await pilot.press("right_square_bracket")
        assert current(app).day == date(2024, 7, 31)
        first_of_31 = current(app)
        await pilot.press("right_square_bracket")
        assert current(app).day == date(2024, 7, 30)
        await pilot.press("left_square_bracket")
        assert app.reader.paper_list.paper == first_of_31
        await pilot.press("j", "left_square_bracket")
        assert app.reader.paper_list.paper == first_of_31  # back to the top of the day first


async def test_star_and_read_are_saved_at_once(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        paper = current(app)
        await pilot.press("s")
        await app.workers.wait_for_complete()
        on_disk = StateStore(private_dirs["data"] / "state.toml").load()
        assert on_disk.is_starred(paper.id)  # saved while the app still runs
        assert "★" in row_texts(app)[1]
        await pilot.press("m")
        await app.workers.wait_for_complete()
        assert StateStore(private_dirs["data"] / "state.toml").load().is_read(paper.id)
        assert "●" not in row_texts(app)[1]
        await pilot.press("m")  # toggles back to unread
        await app.workers.wait_for_complete()
        assert not StateStore(private_dirs["data"] / "state.toml").load().is_read(paper.id)
        await pilot.press("s")
        await app.workers.wait_for_complete()
        assert not StateStore(private_dirs["data"] / "state.toml").load().is_starred(paper.id)


async def test_paper_becomes_read_after_the_delay(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs, read_delay=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        first = current(app)
        await pilot.press("j")  # moved on before the delay: stays unread
        second = current(app)
        await pilot.pause(0.6)
        assert not app.store.is_read(first.id)
        assert app.store.is_read(second.id)


async def test_skimming_past_papers_marks_none_of_them_read(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    """Moving on before the delay, again and again for longer than the delay in all,
    leaves every paper passed over unread; the one the cursor stops on becomes read."""
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs, read_delay=1.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        passed = [current(app)]
        for _ in range(11):  # 0.1 s on each: 1.1 s in all
            await pilot.press("j")
            passed.append(current(app))
            await pilot.pause(0.1)
        assert len({p.id for p in passed}) == 12
        assert not any(app.store.is_read(p.id) for p in passed[:-1])
        await pilot.pause(1.3)
        assert app.store.is_read(passed[-1].id)
        assert not any(app.store.is_read(p.id) for p in passed[:-1])


async def test_read_delay_zero_marks_at_once(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs, read_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        assert all(app.store.is_read(p.id) for p in app.reader.paper_list.papers[:2])


async def test_next_unread_crosses_days(week: FakeHF, private_dirs: dict[str, Path]) -> None:
    app = make_app(private_dirs, days=2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        day1 = [p for p in app.reader.paper_list.papers if p.day == DAY_2024]
        for paper in day1:
            app.store.set_read(paper.id)
        app.reader.paper_list.select_id(day1[0].id)
        await pilot.press("n")
        assert current(app).day == date(2024, 7, 31)


async def test_tab_and_space_scroll_the_abstract(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(100, 16)) as pilot:
        await settle(app, pilot)
        assert app.focused is app.reader.paper_list
        await pilot.press("tab")
        assert app.screen.focused is app.reader.abstract
        await pilot.press("space")
        await pilot.pause()
        assert app.reader.abstract.scroll_y > 0
        await pilot.press("tab")
        assert app.focused is app.reader.paper_list


def thumb_rows(app: PapertermApp) -> list[int]:
    """Visible lines of the abstract whose position-bar cells show the thumb."""
    pane = app.reader.abstract
    rows = []
    for y in range(pane.scrollable_content_region.height):
        bar = pane.render_line(y).crop(pane.text_width)
        if any(seg.style is not None and seg.style.reverse for seg in bar):
            rows.append(y)
    return rows


async def test_the_abstract_bar_shows_where_the_reader_is_and_pages_on_a_click(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    """The pane draws its own bar (Textual's scrollbar cost ~4 ms a move): it must still
    say how much is above and below, follow the scrolling, and page on a click."""
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(100, 16)) as pilot:
        await settle(app, pilot)
        pane = app.reader.abstract
        height = pane.scrollable_content_region.height
        assert pane.max_scroll_y > 0  # a 16-line screen cannot hold an abstract
        at_top = thumb_rows(app)
        assert at_top and at_top[0] == 0 and len(at_top) < height

        pane.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        at_end = thumb_rows(app)
        assert at_end and at_end[-1] == height - 1 and at_end[0] > at_top[0]

        # The bar sits in the pane's last two columns; a click above the thumb pages up.
        bar_x = pane.region.width - 2  # the bar's second column; padding follows
        await pilot.click("#abstract", offset=(bar_x, 0))
        await pilot.pause()
        assert 0 < pane.scroll_y < pane.max_scroll_y
        await pilot.click("#abstract", offset=(bar_x, height - 1))
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y

        # A click on the text does not scroll.
        await pilot.click("#abstract", offset=(3, 0))
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y

        # The thumb drags the view along: a row of bar is a screen's worth of a text this
        # many times longer than the pane.
        pane.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause()
        await pilot.mouse_down("#abstract", offset=(bar_x, 0))
        await pilot.hover("#abstract", offset=(bar_x, 1))
        await pilot.mouse_up("#abstract", offset=(bar_x, 1))
        await pilot.pause()
        assert abs(pane.scroll_y - pane.virtual_size.height / height) <= 1


async def test_text_selected_in_the_abstract_is_copied(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    """Dragging over the abstract selects its text as shown, wrapped lines and all, and
    ctrl+c copies it (Textual puts it on the clipboard with OSC 52)."""
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        title = current(app).title
        await pilot.mouse_down("#abstract", offset=(1, 0))
        await pilot.hover("#abstract", offset=(11, 0))
        await pilot.mouse_up("#abstract", offset=(11, 0))
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert len(app.clipboard) >= 10 and title.startswith(app.clipboard)

        # From the title down into the wrapped abstract: whole lines of the text between.
        await pilot.mouse_down("#abstract", offset=(1, 0))
        await pilot.hover("#abstract", offset=(30, 20))
        await pilot.mouse_up("#abstract", offset=(30, 20))
        await pilot.press("ctrl+c")
        await pilot.pause()
        copied = app.clipboard
        assert copied.startswith(title + "\n") and "Authors" in copied
        assert copied in app.reader.abstract.plain


async def test_an_abstract_that_fits_shows_no_thumb(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(160, 80)) as pilot:
        await settle(app, pilot)
        assert app.reader.abstract.max_scroll_y == 0
        assert thumb_rows(app) == []


@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("o", "https://huggingface.co/papers/2609.31620"),
        ("a", "https://arxiv.org/abs/2609.31620"),
        ("p", "https://arxiv.org/pdf/2609.31620"),
        ("c", "https://github.com/Hongyang-Du/FuseReg"),
    ],
)
async def test_link_keys_open_the_right_url(
    fake_hf: FakeHF, private_dirs: dict[str, Path], key: str, url: str
) -> None:
    fake_hf.add_page(date(2026, 9, 28), PAGE_2026.read_bytes())
    browser = RecordingBrowser()
    app = make_app(
        private_dirs,
        end=date(2026, 9, 28),
        now=datetime(2026, 9, 29, tzinfo=UTC),
        browser=browser,
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert current(app).id == "2609.31620"
        await pilot.press(key)
        await app.workers.wait_for_complete()
        assert browser.urls == [url]
        assert app.store.is_read("2609.31620")  # opening a link counts as reading
        assert "opened" in app.reader.status_bar.left.plain


async def test_project_page_key_and_missing_link(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(date(2026, 9, 28), PAGE_2026.read_bytes())
    browser = RecordingBrowser()
    app = make_app(
        private_dirs, end=date(2026, 9, 28), now=datetime(2026, 9, 29, tzinfo=UTC), browser=browser
    )
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        with_project = next(p for p in app.reader.paper_list.papers if p.project_page)
        without_code = next(p for p in app.reader.paper_list.papers if not p.github)
        app.reader.paper_list.select_id(with_project.id)
        await pilot.press("w")
        await app.workers.wait_for_complete()
        assert browser.urls == [with_project.project_page]
        app.reader.paper_list.select_id(without_code.id)
        await pilot.press("c")
        await app.workers.wait_for_complete()
        assert browser.urls == [with_project.project_page]  # nothing more was opened
        assert any("no code" in n.lower() for n in await notices(app, pilot))


async def test_link_picker_lists_every_link_and_opens_one(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(date(2026, 9, 28), PAGE_2026.read_bytes())
    browser = RecordingBrowser()
    app = make_app(
        private_dirs, end=date(2026, 9, 28), now=datetime(2026, 9, 29, tzinfo=UTC), browser=browser
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("l")
        await pilot.pause()
        from textual.widgets import OptionList

        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("arxiv.org/abs/2609.31620" in lbl for lbl in labels)
        assert any("github.com" in lbl for lbl in labels)
        await pilot.press("down", "down", "enter")  # the third link: the PDF
        await app.workers.wait_for_complete()
        assert browser.urls == ["https://arxiv.org/pdf/2609.31620"]


async def test_filter_narrows_live_and_escape_keeps_the_found_paper(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "j")
        before = current(app)
        assert before is not None and "Gaussian Avatar" not in before.title
        await pilot.press("slash", *"video")
        await pilot.pause()
        shown = titles(app)
        assert shown and all(
            "video" in (p.title + p.abstract + " ".join(p.authors)).lower()
            for p in app.reader.paper_list.papers
        )
        assert len(shown) < 13
        assert f"{len(shown)} of 13 papers" in app.reader.status_bar.right.plain
        await pilot.press(*" GAUSSIAN")  # all words must match, any case
        await pilot.pause()
        assert titles(app) == ["Expressive Whole-Body 3D Gaussian Avatar"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(titles(app)) == 13
        # The paper the filter found stays under the cursor, in the whole list again.
        assert current(app).title == "Expressive Whole-Body 3D Gaussian Avatar"
        assert app.focused is app.reader.paper_list


async def test_keys_stay_live_while_the_filter_index_is_built(
    fake_hf: FakeHF, private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the index takes seconds over years of papers: what is typed meanwhile
    shows in the field at once, the status line says the list waits for the index, and
    the list narrows to the whole query once the index is there."""
    import threading

    import paperterm.listing
    import paperterm.query

    built = threading.Event()

    class SlowIndex(paperterm.query.SearchIndex):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Bounded: a UI thread that waited on the index would hold the keys for 10 s
            # and then see the list narrowed early, which the checks below catch.
            built.wait(timeout=10)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(paperterm.listing, "SearchIndex", SlowIndex)
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"video gaussian")
        await pilot.pause()
        reader = app.reader
        assert reader.filter_input.value == "video gaussian"
        assert len(titles(app)) == 13
        assert "indexing 13 papers for the filter" in reader.status_bar.right.plain
        built.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert titles(app) == ["Expressive Whole-Body 3D Gaussian Avatar"]
        assert "indexing" not in reader.status_bar.right.plain
        assert "1 of 13 papers" in reader.status_bar.right.plain


async def test_rows_painted_from_earlier_keystrokes_are_the_rows_painted_anew(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    """Lines are kept by what they show across filter keystrokes (the same paper moved to
    another row, a match marked differently): after each edit, a star and a read mark,
    every line in view is what painting it from nothing gives."""
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        plist = app.reader.paper_list

        def lines() -> list[str]:
            return [
                "".join(f"{seg.text}\x00{seg.style}" for seg in plist.render_line(y))
                for y in range(plist.size.height)
            ]

        seen: list[list[str]] = []
        edits = [["slash", *"ga"], ["u"], ["backspace"], ["space", *"vi"], ["backspace"] * 4]
        for keys in edits:
            await pilot.press(*keys)
            await settled(app, pilot)
            kept = lines()
            plist.repaint_all()
            assert kept == lines(), keys
            seen.append(kept)
        await pilot.press("escape")
        await pilot.press("s", "j", "m")  # a star and a read mark repaint their rows
        await settled(app, pilot)
        kept = lines()
        plist.repaint_all()
        assert kept == lines()
        assert len({tuple(x) for x in seen}) > 3  # the edits changed what was shown


async def test_a_long_filter_scrolls_to_keep_the_typing_in_view(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    """The field applies each edit as it is typed and keeps its one line however long the
    query grows: the text scrolls so what is being typed stays in view, and Home brings
    back its start."""
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        field = app.reader.filter_input
        box = field.region
        query = "gaussian " * 8 + "avatar"
        await pilot.press("slash", *query)
        await pilot.pause()
        assert titles(app) == ["Expressive Whole-Body 3D Gaussian Avatar"]
        assert field.region == box
        assert field.scroll_x > 0
        shown = field.render_line(0).text
        assert "avatar" in shown and not shown.strip().startswith("gaussian gaussian gaussian")
        await pilot.press("home")
        await pilot.pause()
        assert field.scroll_x == 0
        assert field.render_line(0).text.strip().startswith("gaussian gaussian")


async def test_refresh_revalidates(fake_hf: FakeHF, private_dirs: dict[str, Path]) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        hits = fake_hf.hits["/papers/date/2024-08-01"]
        app.reader.refreshed.clear()
        await pilot.press("r")
        await settle(app, pilot)
        assert fake_hf.hits["/papers/date/2024-08-01"] == hits + 1


async def test_quit(fake_hf: FakeHF, private_dirs: dict[str, Path]) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.is_running
        await pilot.press("q")
        await pilot.pause()
        # q ends the app: it is no longer running, and cleanly (a test that passed whether
        # or not q quit was no test).
        assert not app.is_running
    assert app.return_code == 0


async def test_help_screen_lists_keys(fake_hf: FakeHF, private_dirs: dict[str, Path]) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        from paperterm.widgets.dialogs import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("Static").render())
        for needle in ("next unread", "star / unstar", "is:starred", "upvotes:>=20"):
            assert needle in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_network_trouble_keeps_cached_days_and_says_so(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    first = make_app(private_dirs, now=datetime(2024, 8, 1, 9, tzinfo=UTC))
    async with first.run_test(size=SIZE) as pilot:
        await settle(first, pilot)
    from hfserver import Scripted

    fake_hf.script("/papers/date/2024-08-01", Scripted(503))
    fake_hf.script("/api/daily_papers", Scripted(503))
    later = make_app(private_dirs, now=datetime(2024, 8, 1, 20, tzinfo=UTC))
    async with later.run_test(size=SIZE) as pilot:
        await settle(later, pilot)
        assert len(later.reader.paper_list.papers) == 13
        assert "HTTP 503" in later.reader.status_bar.left.plain


async def test_offline_start_paints_cache_only(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    first = make_app(private_dirs)
    async with first.run_test(size=SIZE) as pilot:
        await settle(first, pilot)
    requests = len(fake_hf.requests)
    offline = make_app(private_dirs, offline=True)
    async with offline.run_test(size=SIZE) as pilot:
        await settle(offline, pilot)
        assert len(offline.reader.paper_list.papers) == 13
        assert "offline" in offline.reader.status_bar.left.plain
    assert len(fake_hf.requests) == requests


async def test_star_survives_a_restart(fake_hf: FakeHF, private_dirs: dict[str, Path]) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        starred = current(app).id
        await pilot.press("s", "j", "m")
        read = current(app).id
        await pilot.press("q")
    again = make_app(private_dirs, offline=True)
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot)
        assert again.store.is_starred(starred) and again.store.is_read(read)
        text = "\n".join(row_texts(again))
        assert "★" in text


async def test_mouse_click_selects_a_paper(fake_hf: FakeHF, private_dirs: dict[str, Path]) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        fifth = app.reader.paper_list.papers[4]
        await pilot.click("#papers", offset=(20, 5))  # row 0 is the header
        await pilot.pause()
        assert app.reader.paper_list.paper == fifth


def test_state_file_is_toml_with_times(private_dirs: dict[str, Path]) -> None:
    store = StateStore(private_dirs["data"] / "state.toml").load()
    store.set_starred("2407.21783")
    store.save()
    # The index names the month; the month's file holds the star, as a TOML time.
    index = (private_dirs["data"] / "state.toml").read_text()
    assert "schema = 2" in index and '"2024-07"' in index
    text = (private_dirs["data"] / "state" / "2024-07.toml").read_text()
    assert '"2407.21783" = ' in text and "[starred]" in text
    assert isinstance(tomllib.loads(text)["starred"]["2407.21783"], datetime)
    json.dumps(text)  # plain text, nothing binary


async def test_arrow_keys_move_the_cursor_in_a_list_longer_than_the_screen(
    week: FakeHF, private_dirs: dict[str, Path]
) -> None:
    """Arrows move the cursor, not just the view, when the list scrolls."""
    app = make_app(private_dirs, days=4)
    async with app.run_test(size=(100, 14)) as pilot:
        await settle(app, pilot)
        papers = app.reader.paper_list.papers
        assert len(papers) > 40
        for _ in range(25):
            await pilot.press("down")
        assert app.reader.paper_list.paper == papers[25]
        await pilot.press("pagedown", "up")
        assert app.reader.paper_list.papers.index(current(app)) > 25
        row = app.reader.paper_list.cursor
        assert row is not None
        top = app.reader.paper_list.scroll_offset.y
        assert top <= row < top + app.reader.paper_list.size.height  # the cursor is on screen


async def test_keys_are_remappable_from_config(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    private_dirs["config"].mkdir(parents=True)
    (private_dirs["config"] / "config.toml").write_text(
        '[keys]\nstar = "x"\ndown = "ctrl+n"\nstarr = "y"\n'
    )
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        first = current(app)
        await pilot.press("x")
        assert app.store.is_starred(first.id)
        await pilot.press("s")  # no longer bound
        assert app.store.is_starred(first.id)
        await pilot.press("ctrl+n")
        assert app.reader.paper_list.paper != first
        assert " x Star" in app.query_one("#keys", KeyBar).plain  # the hint shows the new key
        assert any("'starr'" in n for n in await notices(app, pilot))  # a typo is reported


async def test_command_palette_offers_the_actions(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in ("Star / unstar paper", "Open PDF", "Next unread paper", "Go to day"):
            assert wanted in titles
        star = next(c for c in app.get_system_commands(app.screen) if c.title.startswith("Star"))
        star.callback()
        await pilot.pause()
        assert app.store.is_starred(current(app).id)


async def test_no_site_and_no_cache_says_what_to_do(private_dirs: dict[str, Path]) -> None:
    app = make_app(private_dirs)  # PAPERTERM_BASE_URL points at a closed port
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.reader.paper_list.papers == []
        assert "cannot connect" in app.reader.status_bar.left.plain
        # The list pane itself says which days were tried, why, and what to do.
        listed = "\n".join(row_texts(app))
        assert "Nothing could be loaded for Thu 01 Aug 2024" in listed
        assert "cannot connect to 127.0.0.1:9" in listed
        for hint in ("r   try again", "d   go to another day", "--offline", "HTTPS_PROXY"):
            assert hint in listed, hint
        await pilot.press("j", "s", "m", "o", "l", "n", "M", "u")  # nothing to act on: no crash
        assert app.is_running


async def test_console_browser_where_the_terminal_cannot_be_handed_over(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    """A console browser needs the terminal; where the app cannot suspend, it still opens."""

    class ConsoleBrowser(RecordingBrowser):
        def needs_terminal(self) -> bool:
            return True

    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    browser = ConsoleBrowser()
    app = make_app(private_dirs, browser=browser)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await app.workers.wait_for_complete()
        assert browser.urls == [current(app).arxiv_url]
        assert app.is_running


async def test_key_hints_follow_the_focus(fake_hf: FakeHF, private_dirs: dict[str, Path]) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        hints = app.query_one("#keys", KeyBar)
        assert " s Star" in hints.plain and " q Quit" in hints.plain
        await pilot.press("slash")
        await pilot.pause()
        assert "Esc Clear the filter" in hints.plain and "Quit" not in hints.plain
        await pilot.press("enter")
        await pilot.pause()
        assert " s Star" in hints.plain


async def test_read_timer_firing_under_a_dialog(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    """The read delay runs out while the help screen is open: the paper is not being looked
    at, so it is not marked read until it has been in view a whole delay after the dialog
    closed; a pending timer at exit does no harm."""
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs, read_delay=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        paper = current(app)
        await pilot.press("question_mark")
        await pilot.pause(0.8)
        assert app.is_running and not app.store.is_read(paper.id)
        await pilot.press("escape")
        await pilot.pause(0.9)
        assert app.store.is_read(paper.id)
        await pilot.press("slash", *"video")
        await pilot.press("question_mark")  # typed into the filter, not the help
        assert app.is_running
    # The app exited with the abstract's highlight refresh still pending: no exception.
    assert app._exception is None


async def test_abstract_marks_the_filter_matches_once_the_field_is_left(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        tora = current(app)
        assert "Video" in tora.title

        def marked() -> list[str]:
            content = app.reader.abstract.content
            return [
                content.plain[s.start : s.end] for s in content.spans if "reverse" in str(s.style)
            ]

        await pilot.press("slash", *"video")
        await pilot.pause()
        assert app.reader.paper_list.paper is tora  # still on it: it matches
        assert not marked()  # not while typing
        await pilot.press("enter")
        await pilot.pause()
        assert "Video" in marked() and "video" in marked()


def test_a_strip_painted_whole_is_freed_without_the_cycle_collector() -> None:
    """The reader's fix to Textual's Strip.divide: a line painted whole (the compositor
    divides every line at its own end) no longer refers to itself, so it is freed as soon
    as it is dropped, and no collector pass has to find it mid-keystroke."""
    import gc

    from rich.segment import Segment
    from textual.strip import Strip

    from paperterm.widgets import _strip_fix

    _strip_fix.apply()
    line = Strip([Segment("ab"), Segment("cd")])
    assert line.divide([4]) == [line]
    assert [s.text for s in line.divide([2, 4])] == ["ab", "cd"]  # other cuts: unchanged
    gc.collect()
    gc.disable()
    try:
        for _ in range(100):
            strip = Strip([Segment("x" * 10)])
            strip.divide([10])
            del strip
        assert gc.collect() == 0
    finally:
        gc.enable()


async def test_full_garbage_collection_waits_for_a_pause(
    fake_hf: FakeHF, private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pending full collection runs once no key has come for a moment, not while keys
    are arriving."""
    import time

    from paperterm import gcpolicy

    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    collected: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr("gc.get_count", lambda: (0, 0, 1))
        monkeypatch.setattr("gc.collect", lambda: collected.append(1) or 0)  # type: ignore[func-returns-value]
        await pilot.press("j")
        gcpolicy.IDLE.collect_if_idle()
        assert collected == []  # a key just came
        gcpolicy.IDLE.last_input = time.monotonic() - gcpolicy.IDLE_COLLECT_AFTER - 0.1
        gcpolicy.IDLE.collect_if_idle()
        assert collected == [1]


async def test_a_star_repaints_its_row_and_its_days_header_only(
    fake_hf: FakeHF, private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    async with reader(private_dirs) as (app, pilot):
        plist = app.reader.paper_list
        await pilot.press("j", "j")
        paper = current(app)
        lines: list[int] = []
        original = type(plist).refresh_line

        def counted(self: PaperList, y: int) -> None:
            lines.append(y)
            original(self, y)

        monkeypatch.setattr(type(plist), "refresh_line", counted)
        plist.refresh_papers({paper.id})
        row = next(i for i, r in enumerate(plist.rows) if r.paper is paper)
        header = next(i for i, r in enumerate(plist.rows) if r.is_header and r.day == paper.day)
        assert sorted(lines) == sorted({row, header})
        lines.clear()
        await pilot.press("s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert set(lines) <= {row, header}  # painted once saved: the same two rows
        assert "★" in plist.render_line(row - int(plist.scroll_offset.y)).text


async def test_a_star_rewraps_only_the_lines_above_the_abstract(
    fake_hf: FakeHF, private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starring repaints the pane's flags with the abstract's strips kept, not wrapped
    again; what is kept is exactly what wrapping the new text whole would give, so the
    pane shows the same and a selection still copies the right text."""
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    async with reader(private_dirs) as (app, pilot):
        pane = app.reader.abstract
        paper = current(app)
        assert len(paper.abstract) > 200
        wrapped: list[str] = []
        whole = AbstractPane._wrap

        def counted(self: AbstractPane, content: Content, width: int) -> Any:
            wrapped.append(content.plain)
            return whole(self, content, width)

        monkeypatch.setattr(AbstractPane, "_wrap", counted)
        await pilot.press("s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.store.is_starred(paper.id) and "★ starred" in pane.plain
        # Painted once, when on disk (a quick save is not shown as saving first): one
        # splice, which wraps the lines above the abstract as they were and as they are.
        assert len(wrapped) == 2, wrapped
        assert not any(paper.abstract[:80] in text for text in wrapped)
        fresh, fresh_map = whole(pane, pane.content, pane.text_width)
        assert pane._strips == fresh and pane._line_map == fresh_map

        await pilot.press("s")  # unstarred: back to the text first shown, from the cache
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "★ starred" not in pane.plain
        assert pane._strips == whole(pane, pane.content, pane.text_width)[0]


async def test_a_flag_line_that_wraps_longer_repaints_the_pane_whole() -> None:
    """A narrow pane where the new flags line (say "saving…") wraps to one more line than
    the old: the lines below cannot be kept as they were, so the pane is wrapped anew."""
    from textual.app import App, ComposeResult

    class Narrow(App[None]):
        def compose(self) -> ComposeResult:
            yield AbstractPane(id="abstract")

    abstract = "An abstract long enough to wrap over several lines of a narrow pane. " * 4
    old = Content("A title\n☆ not starred\n\n" + abstract)
    new = Content("A title\n★ starred · saving, this takes a while\n\n" + abstract)
    app = Narrow()
    async with app.run_test(size=(30, 20)) as pilot:
        pane = app.query_one(AbstractPane)
        pane.show(old, key="not starred")
        await pilot.pause()
        pane.update_in_place(new, key="saving")
        await pilot.pause()
        assert "saving, this takes a while" in pane.plain
        whole, whole_map = AbstractPane._wrap(pane, new, pane.text_width)
        assert pane._strips == whole and pane._line_map == whole_map
