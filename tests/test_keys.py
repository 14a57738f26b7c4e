"""One table of bindings (keys.py): what a remap does everywhere, and what is said when a
remap is wrong. `paperterm keys` and `paperterm config` print what is in force."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DAY_2024, PAGE_2024, REPO
from hfserver import FakeHF
from test_app import current, make_app, notices, reader, settle
from test_cli import run_cli

from paperterm import keys
from paperterm.widgets.keybar import KeyBar


def write_config(private_dirs: dict[str, Path], text: str) -> None:
    private_dirs["config"].mkdir(parents=True, exist_ok=True)
    (private_dirs["config"] / "config.toml").write_text(text)


@pytest.mark.parametrize(
    ("remap", "says"),
    [
        ({"star": "j"}, "j is down's (move down); its default 's' is used"),
        ({"quit": "s", "star": "s"}, "s is star's (star / unstar); its default 'q' is used"),
        ({"down": "ctrl+nosuchkey"}, "'ctrl+nosuchkey' is not a key name"),
        ({"starr": "y"}, "no binding has the id 'starr'"),
        ({"star": ""}, "star names no key"),
    ],
)
def test_a_wrong_remap_is_said_and_the_default_kept(remap: dict[str, str], says: str) -> None:
    in_force = keys.resolve(remap)
    assert any(says in p for p in in_force.problems), in_force.problems
    assert in_force.keys["star"] == "s" and in_force.keys["down"] == "j,down"
    assert in_force.keys["quit"] == "q"
    # No key does two things where it is pressed (Esc clears the filter in a list and
    # goes back on the paper page; Enter opens the page there, and its links on it).
    for where in (("app", "papers", "days"), ("app", "papers", "lists"), ("app", "page")):
        held = [
            k
            for spec in keys.TABLE
            if keys.offered(spec, where)
            for k in keys.split_keys(in_force.keys[spec.id])
        ]
        assert len(held) == len(set(held)), where


def test_a_good_remap_is_taken() -> None:
    in_force = keys.resolve({"star": "x,asterisk", "down": "ctrl+n", "help": "f1"})
    assert not in_force.problems
    assert in_force.remapped == {"star": "x,asterisk", "down": "ctrl+n", "help": "f1"}
    assert in_force.shown("star") == "x *" and in_force.shown("down") == "Ctrl+N"


def test_key_names() -> None:
    for good in ("x", "G", "question_mark", "ctrl+n", "shift+tab", "f12", "pagedown", "asterisk"):
        assert keys.valid_key(good), good
    for bad in ("ctrl+nosuchkey", "hyperdrive", "ctrl+", "", "two words"):
        assert not keys.valid_key(bad), bad
    assert keys.display_key("question_mark") == "?"
    assert keys.display_key("right_square_bracket") == "]"


async def test_a_remap_shows_in_help_palette_and_key_bar(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    write_config(private_dirs, '[keys]\nstar = "x"\n')
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        assert " x Star" in app.query_one("#keys", KeyBar).plain
        star = next(c for c in app.get_system_commands(app.screen) if c.title.startswith("Star"))
        assert star.help == "Key: x"
        await pilot.press("question_mark")
        await pilot.pause()
        from textual.widgets import Static

        text = str(app.screen.query_one(Static).render())
        line = next(ln for ln in text.splitlines() if "star / unstar" in ln)
        assert line.split()[0] == "x"


async def test_a_clashing_remap_starts_with_a_warning_and_the_default(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    write_config(private_dirs, '[keys]\nstar = "j"\n')
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await settle(app, pilot)
        assert any("j is down's" in n for n in await notices(app, pilot))
        first = current(app)
        await pilot.press("j")
        assert app.reader.paper_list.paper != first and not app.store.is_starred(first.id)
        await pilot.press("s")
        await app.workers.wait_for_complete()
        assert app.store.is_starred(current(app).id)


def test_paperterm_keys_prints_the_bindings_in_force(private_dirs: dict[str, Path]) -> None:
    write_config(private_dirs, '[keys]\nstar = "x"\n')
    rows = json.loads(run_cli("keys", "--format", "json", check=True).stdout)
    assert [r["id"] for r in rows] == [spec.id for spec in keys.TABLE]
    star = next(r for r in rows if r["id"] == "star")
    assert star["keys"] == "x" and star["remapped"] and star["default"] == "s"
    table = run_cli("keys", check=True).stdout
    assert any(ln.split()[:2] == ["x", "star"] for ln in table.splitlines())
    assert "* remapped in the config" in table
    markdown = run_cli("keys", "--format", "markdown", check=True).stdout
    assert markdown.count("\n") == len(keys.TABLE) + 2


def test_the_readme_lists_every_binding_id() -> None:
    readme = (REPO / "README.md").read_text()
    assert keys.markdown_ids() in " ".join(readme.split())


def test_paperterm_config_says_where_each_value_came_from(private_dirs: dict[str, Path]) -> None:
    write_config(private_dirs, "days = 5\n")
    proc = run_cli("config", check=True)
    assert "days" in proc.stdout and "= 5" in proc.stdout and "(file)" in proc.stdout
    assert "(environment (PAPERTERM_BASE_URL))" in proc.stdout
    assert "read_delay" in proc.stdout and "(default)" in proc.stdout
    assert run_cli("config", "--check", check=True).stdout.strip() == "config: no problems"


def test_paperterm_config_check_names_each_problem(private_dirs: dict[str, Path]) -> None:
    write_config(
        private_dirs,
        'days = nan\nread_delay = -1\nmax_concurrency = 99\ntimeout = "fast"\n'
        '[keys]\nstar = "j"\ndown = "ctrl+nosuchkey"\n',
    )
    proc = run_cli("config", "--check")
    assert proc.returncode == 1 and proc.stdout == ""
    for says in (
        "days = nan should be a whole number; the default 3 is used",
        "read_delay = -1.0 is out of range (0 to 3600); the default 2.0 is used",
        "max_concurrency = 99 is out of range (1 to 8); the default 4 is used",
        "timeout = 'fast' should be a number",
        "j is down's",
        "'ctrl+nosuchkey' is not a key name",
    ):
        assert says in proc.stderr, says


def test_another_textual_is_said_and_not_patched(monkeypatch: pytest.MonkeyPatch) -> None:
    from paperterm import factory

    assert factory.textual_problem() is None  # the pinned release is what is installed
    monkeypatch.setattr(factory, "TEXTUAL_WRITTEN_FOR", "0.0.1")
    monkeypatch.setattr(factory, "_applied", False)
    applied: list[bool] = []
    monkeypatch.setattr("paperterm.widgets._strip_fix.apply", lambda: applied.append(True))
    problem = factory.apply_fixes()
    assert problem is not None and "written for 0.0.1" in problem and not applied


async def test_the_link_picker_moves_with_j_k_and_picks_by_number(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    from test_app import RecordingBrowser

    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    browser = RecordingBrowser()
    async with reader(private_dirs, browser=browser) as (app, pilot):
        paper = current(app)
        await pilot.press("l", "j", "j", "k", "enter")
        await app.workers.wait_for_complete()
        assert browser.urls[-1] == paper.links[1][1]
        await pilot.press("l", "G", "g", "enter")
        await app.workers.wait_for_complete()
        assert browser.urls[-1] == paper.links[0][1]
        await pilot.press("l", "3")
        await app.workers.wait_for_complete()
        assert browser.urls[-1] == paper.links[2][1]


async def test_help_scrolls_with_j_and_g_and_nothing_is_cut_off(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    from textual.containers import VerticalScroll

    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        scroller = app.screen.query_one(VerticalScroll)
        assert scroller.max_scroll_y > 0  # more than fits at 24 rows: it scrolls
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert scroller.scroll_y == 3
        await pilot.press("G")
        await pilot.pause()
        assert scroller.scroll_y == scroller.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert scroller.scroll_y == 0
