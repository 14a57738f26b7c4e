"""One paper by id (issue 14, first part): `/api/papers/{id}`, `paperterm show`, and
`star`/`read` of a paper no cached day holds."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import FIXTURES
from hfserver import FakeHF, Scripted
from test_cli import run_cli

DETAIL = json.loads((FIXTURES / "paper_api_2608.09888_2026-09_reconstructed.json").read_text())
PID = "2608.09888"


def test_show_prints_the_paper_page_and_its_linked_repos(fake_hf: FakeHF) -> None:
    fake_hf.add_detail(PID, DETAIL)
    out = json.loads(
        run_cli("show", f"https://huggingface.co/papers/{PID}", "--json", check=True).stdout
    )
    assert out["id"] == PID and out["title"] == " ".join(DETAIL["title"].split())
    assert out["github"] == DETAIL["githubRepo"] and out["github_stars"] == DETAIL["githubStars"]
    assert out["code_added_by"] == "admin" and out["organization"] == "Pathway"
    datasets = out["linked"]["dataset"]
    assert datasets["total"] == 1
    assert datasets["repos"][0]["url"] == (
        "https://huggingface.co/datasets/WhySoCodius/in-context-grid-reasoning"
    )
    text = run_cli("show", PID, check=True).stdout
    assert "1 dataset" in text and "↓108" in text and "★11,184" in text
    assert sum(f"/api/papers/{PID}" in r for r in fake_hf.requests) == 1  # then cached
    offline = run_cli("show", PID, "--offline", check=True)
    assert DETAIL["githubRepo"] in offline.stdout


def test_star_a_paper_no_cached_day_holds_and_find_it_in_starred(fake_hf: FakeHF) -> None:
    fake_hf.add_detail(PID, DETAIL)
    run_cli("star", f"arXiv:{PID}", check=True)
    starred = run_cli("list", "--starred", check=True).stdout
    assert (PID in starred and "ARC" in starred) or DETAIL["title"][:20] in starred
    assert "(not cached)" not in starred


def test_an_unknown_id_stars_nothing_and_says_why(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    missing = run_cli("star", "2608.99999")
    assert missing.returncode == 1
    assert "2608.99999 is not on Hugging Face Papers; nothing changed" in missing.stderr
    offline = run_cli("star", "2608.99998", "--offline")
    assert offline.returncode == 1 and "offline it could not be checked" in offline.stderr
    fake_hf.script(f"/api/papers/{PID}", Scripted(503, b"busy"))
    down = run_cli("star", PID)
    assert down.returncode == 1 and "could not be checked" in down.stderr
    assert (
        not (private_dirs["data"] / "state.toml").exists()
        or PID not in (private_dirs["data"] / "state.toml").read_text()
    )


async def test_the_link_picker_lists_the_papers_linked_repos(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    from conftest import DAY_2024, PAGE_2024
    from test_app import RecordingBrowser, current, reader
    from textual.widgets import OptionList

    from paperterm.widgets.dialogs import LinkPicker

    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    browser = RecordingBrowser()
    async with reader(private_dirs, browser=browser) as (app, pilot):
        paper = current(app)
        fake_hf.add_detail(paper.id, {**DETAIL, "id": paper.id, "title": paper.title})
        await pilot.press("l")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, LinkPicker)
        url = "https://huggingface.co/datasets/WhySoCodius/in-context-grid-reasoning"
        assert picker.links[-1] == ("Dataset ↓108 ♥1", url)  # downloads, likes
        assert picker.query_one(OptionList).option_count == len(paper.links) + 1
        await pilot.press(str(len(picker.links)))  # its number opens it
        await app.workers.wait_for_complete()
        assert browser.urls == [url]
