"""Stars that tell you what changed (issue 14): a starred paper's code, GitHub stars, linked
models, datasets and Spaces and project page are kept as last seen; a later answer with more
is a change, marked Δ in every feed, first in Starred, said on the paper's page and by
`paperterm changes`, which a start checks within a budget of requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from conftest import DAY_2024, FIXTURES, PAGE_2024
from hfserver import FakeHF
from test_app import current, reader, row_texts
from test_cli import run_cli
from test_feeds import age_lists

from paperterm import watch as watch_module
from paperterm.detail import parse_detail
from paperterm.model import Paper
from paperterm.screens.feeds import StarredScreen
from paperterm.watch import Change, Snapshot, StarWatch, diff, summary_text

DETAIL = json.loads((FIXTURES / "paper_api_2608.09888_2026-09_reconstructed.json").read_text())
BEFORE: dict[str, Any] = {
    "githubRepo": None,
    "githubStars": None,
    "linkedModels": [],
    "numTotalModels": 0,
}
MODELS = [
    {"id": "pathwaycom/bdh-cq-150m", "downloads": 1200, "likes": 40},
    {"id": "pathwaycom/bdh-cq-1b", "downloads": 300, "likes": 12},
]
AFTER = {"linkedModels": MODELS, "numTotalModels": 2}


def answer(paper_id: str, title: str, **fields: Any) -> dict[str, Any]:
    """The real answer's shape, as another paper's, with some fields changed (None drops
    a field, as the site omits what a paper lacks)."""
    out = {**DETAIL, "id": paper_id, "title": title, **fields}
    return {k: v for k, v in out.items() if v is not None}


T0 = datetime(2024, 8, 2, 9, tzinfo=UTC)
"""The morning after the 1 Aug 2024 day page."""


def hits(site: FakeHF, paper_id: str) -> int:
    return site.hits[f"/api/papers/{paper_id}"]


def age_detail_cache(cache_dir: Path, hours: float) -> None:
    """As if the cached paper answers were fetched `hours` earlier (time passing)."""
    age_lists(cache_dir, hours, "details/*.json")


# ---------------------------------------------------------------- the rules


def test_what_counts_as_a_change() -> None:
    before = Snapshot(upvotes=10, models=0, datasets=1, spaces=None)
    after = Snapshot(
        upvotes=50, github="https://github.com/a/b", github_stars=7, models=2, datasets=1, spaces=3
    )
    # Code appearing is one change (its first stars are not "stars ▲"); a count not known
    # before (spaces) is filled in, not counted; upvotes are not a change.
    assert diff(before, after) == [("code", 0), ("models", 2)]
    later = Snapshot(github="https://github.com/a/b", github_stars=130, project_page="https://p")
    assert diff(after, later.filled_from(after)) == [("stars", 123), ("project", 0)]
    assert diff(after, after) == []
    at = datetime(2026, 1, 1, tzinfo=UTC)
    told = [Change("stars", 100, at), Change("code", 0, at), Change("stars", 23, at)]
    assert summary_text(told) == "code, GitHub ★▲123"
    assert summary_text([Change("models", 1, at), Change("spaces", 2, at)]) == (
        "+1 model, +2 Spaces"
    )


def test_two_processes_merge_and_a_damaged_file_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "watch.toml"
    t0 = datetime(2026, 9, 1, tzinfo=UTC)
    first = parse_detail(json.dumps(answer("2608.00001", "One", **BEFORE)).encode(), t0.date())
    second = parse_detail(json.dumps(answer("2608.00002", "Two", **BEFORE)).encode(), t0.date())
    a, b = StarWatch(path).load(), StarWatch(path).load()
    a.starred(first.paper, t0)
    a.observe(first, t0 + timedelta(minutes=1), baseline=True)  # its linked counts
    a.save()
    b.starred(second.paper, t0)
    b.save()  # re-reads under the lock: a's paper is kept
    assert set(StarWatch(path).load().papers) == {"2608.00001", "2608.00002"}
    later = parse_detail(
        json.dumps(answer("2608.00001", "One", **{**BEFORE, **AFTER})).encode(), t0.date()
    )
    a.observe(later, t0 + timedelta(hours=2))
    a.save()
    again = StarWatch(path).load()
    assert summary_text(again.pending("2608.00001")) == "+2 models"
    path.write_text("this is [not toml")
    damaged = StarWatch(path).load()
    assert damaged.problem is not None and "set aside" in damaged.problem
    assert list(tmp_path.glob("watch.toml.corrupt-*"))
    assert summary_text(damaged.pending("2608.00001")) == "+2 models"  # from the backup


def test_saves_in_a_row_write_every_change_and_format_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A star saves the watch. Saved again and again by one process, the file keeps
    every change (a star, a check, a page read, an unstar), is what tomli_w writes of the
    whole watch, and only the papers changed since the last save are formatted again."""
    path = tmp_path / "watch.toml"
    t0 = datetime(2026, 9, 1, tzinfo=UTC)
    details = [
        parse_detail(json.dumps(answer(f"2608.0000{n}", f"P{n}", **BEFORE)).encode(), t0.date())
        for n in range(1, 6)
    ]
    watch = StarWatch(path).load()
    for detail in details:
        watch.starred(detail.paper, t0)
    watch.save()
    formatted: list[str] = []
    real_dumps = tomli_w.dumps

    def counted(doc: dict[str, Any]) -> str:
        formatted.extend(doc.get("paper", {}))
        return real_dumps(doc)

    monkeypatch.setattr(tomli_w, "dumps", counted)
    later = parse_detail(
        json.dumps(answer("2608.00002", "P2", **{**BEFORE, **AFTER})).encode(), t0.date()
    )
    steps: list[Callable[[], object]] = [
        lambda: watch.observe(later, t0 + timedelta(hours=1)),
        lambda: watch.page_read(later, None, t0 + timedelta(hours=2)),
        lambda: watch.unstarred("2608.00004"),
        lambda: watch.starred(details[3].paper, t0 + timedelta(hours=3)),
    ]
    for step in steps:
        formatted.clear()
        step()
        watch.save()
        assert len(formatted) <= 1, formatted  # the one paper that changed
        on_disk = StarWatch(path).load()
        assert on_disk.papers == watch.papers
        document = {"paper": {i: watch_module._doc_of(w) for i, w in sorted(watch.papers.items())}}
        assert path.read_text() == real_dumps(document)
    again = StarWatch(path).load().papers
    assert again["2608.00002"].looked == t0 + timedelta(hours=2) and "2608.00004" in again


# ---------------------------------------------------------------- in the reader


async def test_a_starred_paper_tells_when_code_and_models_appear(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    async with reader(private_dirs, now=T0) as (app, pilot):
        await pilot.press("j")
        paper = current(app)
        fake_hf.add_detail(paper.id, answer(paper.id, paper.title, **BEFORE))
        await pilot.press("s")
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert hits(fake_hf, paper.id) == 1  # starring asked once, for what it links to
    watched = tomllib_load(private_dirs["data"] / "watch.toml")["paper"][paper.id]
    assert watched["models"] == 0 and "github" not in watched

    # Two hours later the paper has code and two models.
    fake_hf.add_detail(paper.id, answer(paper.id, paper.title, **AFTER))
    async with reader(private_dirs, now=T0 + timedelta(hours=2)) as (app, pilot):
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert hits(fake_hf, paper.id) == 2
        row = next(t for t in row_texts(app) if paper.title[:30] in t)
        assert "★Δ" in row, row
        app.reader.paper_list.select_id(paper.id)
        await pilot.pause()
        assert "Changed   code, +2 models" in app.reader.abstract.plain
        await pilot.press("f", "5")  # the feed list: Starred
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        starred = app.screen
        assert isinstance(starred, StarredScreen)
        first = starred.paper_list.rows[0]
        assert first.paper is None
        assert starred.paper_list.group_label(first.day) == "Changed on the site since you looked"
        assert current_of(starred).id == paper.id  # the changed paper first
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        page = app.screen.pane.plain  # type: ignore[attr-defined]
        assert "Changed   code, +2 models" in page
        assert "pathwaycom/bdh-cq-150m" in page and "2 models" in page
        await pilot.press("escape")
        await pilot.pause()
        row = next(t for t in row_texts_of(starred) if paper.title[:30] in t)
        assert "Δ" not in row  # looked at: told
    assert tomllib_load(private_dirs["data"] / "watch.toml")["paper"][paper.id]["models"] == 2


def current_of(screen: StarredScreen) -> Paper:
    found = screen.paper_list.paper
    assert found is not None
    return found


def tomllib_load(path: Path) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(path.read_text())


def row_texts_of(screen: Any) -> list[str]:
    plist = screen.paper_list
    return [plist.render_line(y).text for y in range(plist.size.height)]


async def test_the_start_asks_about_the_budget_of_papers_stalest_first(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    async with reader(private_dirs, now=T0) as (app, pilot):
        papers: list[Paper] = app.reader.paper_list.papers[:7]
        for paper in papers:
            fake_hf.add_detail(paper.id, answer(paper.id, paper.title, **BEFORE))
            app.reader.paper_list.select_id(paper.id)
            await pilot.press("s")
        await app.workers.wait_for_complete()
    assert sum(hits(fake_hf, p.id) for p in papers) == 7
    (private_dirs["config"]).mkdir(parents=True, exist_ok=True)
    (private_dirs["config"] / "config.toml").write_text("watch_budget = 3\n")
    asked: list[set[str]] = []
    for run in (1, 2, 3):
        before = {p.id: hits(fake_hf, p.id) for p in papers}
        async with reader(private_dirs, now=T0 + timedelta(hours=2 * run)) as (app, pilot):
            await app.workers.wait_for_complete()
            assert app.library.fetcher.peak_in_flight <= app.config.max_concurrency
        asked.append({p.id for p in papers if hits(fake_hf, p.id) > before[p.id]})
    assert [len(a) for a in asked] == [3, 3, 3]
    # The papers checked longest ago go first: all seven are asked about before any twice.
    assert len(asked[0] | asked[1]) == 6 and len(asked[0] | asked[1] | asked[2]) == 7


# ---------------------------------------------------------------- for cron


PID = "2608.09888"


def star_from_the_cli(site: FakeHF, **fields: Any) -> None:
    """Star PID, a paper of today no cached day holds: looked up, and watched."""
    today = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00.000Z")
    site.add_detail(PID, answer(PID, DETAIL["title"], **fields, submittedOnDailyAt=today))
    run_cli("star", PID, check=True)


def test_changes_prints_what_changed_with_an_exit_status(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    pid = PID
    today = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00.000Z")
    star_from_the_cli(fake_hf, **BEFORE)
    none = run_cli("changes")
    assert none.returncode == 1 and "No changes" in none.stdout
    fake_hf.add_detail(pid, answer(pid, DETAIL["title"], **AFTER, submittedOnDailyAt=today))
    age_detail_cache(private_dirs["cache"], hours=2)
    found = run_cli("changes")
    assert found.returncode == 0, found.stderr
    assert pid in found.stdout and "code, +2 models" in found.stdout
    assert "BDH-CQ" in found.stdout
    rows = json.loads(run_cli("changes", "--json", "--offline", check=True).stdout)
    assert [r["id"] for r in rows] == [pid]
    assert {c["kind"] for c in rows[0]["changes"]} == {"code", "models"}
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert run_cli("changes", "--offline", "--since", tomorrow).returncode == 1
    # Reading its page tells the changes, and they are looked at: cron hears of them once.
    page = run_cli("show", pid, "--offline", check=True).stdout
    assert "Changed   code, +2 models (since you last looked)" in page
    assert run_cli("changes", "--offline").returncode == 1
    today_iso = datetime.now(UTC).date().isoformat()
    assert run_cli("changes", "--offline", "--since", today_iso).returncode == 0


def test_changes_says_when_the_site_could_not_be_asked(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    pid = PID
    star_from_the_cli(fake_hf, **BEFORE)
    age_detail_cache(private_dirs["cache"], hours=2)
    from hfserver import Scripted

    fake_hf.script(f"/api/papers/{pid}", Scripted(503, b"busy"))
    down = run_cli("changes")
    assert down.returncode == 2 and pid in down.stderr


@pytest.mark.parametrize("bad", ["[paper.x]\nmodels = 'many'\n", "paper = 3\n"])
def test_a_watch_file_of_the_wrong_shape_is_set_aside(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "watch.toml"
    path.write_text(bad)
    watch = StarWatch(path).load()
    assert watch.papers == {} and watch.problem is not None
    assert path.exists() is False and list(tmp_path.glob("watch.toml.corrupt-*"))
