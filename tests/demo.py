"""A deterministic reader built from real captures: for snapshot tests and screenshots.

The cache is seeded straight from the corpus (the API responses of a real week), the clock
is fixed, and the app runs offline, so every run paints the same screen.
"""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from paperterm.cache import DayCache
from paperterm.config import Config
from paperterm.library import Library
from paperterm.lists import ListSpec
from paperterm.scrape import parse_api, parse_page
from paperterm.seen import SeenStore
from paperterm.state import StateStore
from paperterm.wiring import Opener

if TYPE_CHECKING:  # the app is imported when a demo is built, not when the module is
    from paperterm.app import PapertermApp

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS_TAR = SHARED / "corpus" / "hf-daily-papers-2024-05-27_2026-08-21.tar.xz"

DEMO_DAYS = [date(2026, 8, 17) + timedelta(days=i) for i in range(5)]  # Mon..Fri
DEMO_NOW = datetime(2026, 8, 21, 12, 0, tzinfo=UTC)
DETAIL = SHARED / "fixtures" / "hf" / "paper_api_2608.09888_2026-09_reconstructed.json"
DETAIL_ID = "2608.09888"


class NoBrowser:
    """An opener that opens nothing: screenshots and snapshots must not start a browser."""

    def needs_terminal(self) -> bool:
        return False

    def open(self, url: str) -> bool:
        return True


def corpus_bodies(
    days: Iterable[date] | None = None, tar_path: Path = CORPUS_TAR
) -> dict[date, bytes]:
    """Corpus days as API bytes (all of them if `days` is None), with the collector's
    Python-repr items turned back into objects."""
    import ast

    wanted = {f"Paper_metadata_download/{d.isoformat()}.json": d for d in days or ()}
    out: dict[date, bytes] = {}
    with tarfile.open(tar_path) as tar:
        for member in tar:
            if days is None:
                if not member.name.endswith(".json"):
                    continue
                day: date | None = date.fromisoformat(Path(member.name).stem)
            elif (day := wanted.get(member.name)) is None:
                continue
            assert day is not None
            handle = tar.extractfile(member)
            assert handle is not None
            data = json.loads(handle.read())
            if isinstance(data, dict):
                data = data.get("data", [])
            items = [ast.literal_eval(i) if isinstance(i, str) else i for i in data]
            out[day] = json.dumps(items).encode()
            if days is not None and len(out) == len(wanted):
                break
    return out


def seed_cache(cache_root: Path, bodies: dict[date, bytes], fetched_at: datetime) -> DayCache:
    cache = DayCache(cache_root, {"page": parse_page, "api": parse_api})
    for day, body in bodies.items():
        papers = parse_api(body, day).papers
        cache.store(day, "api", body, papers, fetched_at=fetched_at, empty=not papers)
    return cache


def seed_watch(path: Path, seen_at: datetime) -> None:
    """What the starred DETAIL_ID showed when starred (no code, no dataset), and the change
    a check found an hour ago, not yet looked at."""
    from paperterm.watch import Change, Snapshot, StarWatch, Watched

    starred_at = DEMO_NOW - timedelta(days=3)
    watch = StarWatch(path)
    latest = Snapshot(782, "https://github.com/pathwaycom/arc-task-gen", 11184, None, 0, 1, 0)
    latest = replace(latest, project_page=json.loads(DETAIL.read_bytes())["projectPage"])
    changes = [Change("code", 0, seen_at), Change("datasets", 1, seen_at)]
    watch.papers[DETAIL_ID] = Watched(DETAIL_ID, latest, seen_at, starred_at, changes)
    watch.save()


def make_demo_app(
    root: Path, *, opener: Opener | None = None, bodies: dict[date, bytes] | None = None
) -> PapertermApp:
    """The reader on a real week of papers, with some starred, some read, some new."""
    from paperterm.factory import build_app

    bodies = bodies if bodies is not None else corpus_bodies(DEMO_DAYS)
    fetched = DEMO_NOW - timedelta(hours=2)
    cache = seed_cache(root / "cache", bodies, fetched)
    config = Config(base_url="https://huggingface.co", days=5, read_delay=0)
    library = Library(config, cache, clock=lambda: DEMO_NOW)
    # A search made an hour ago, answered by the site's real capture: offline, `F kazakh`
    # shows it from the cache.
    search = (SHARED / "fixtures" / "hf" / "papers_search_api_q-kazakh_2025-05.json").read_bytes()
    library.lists.cache.store(ListSpec("search", "kazakh"), search, DEMO_NOW - timedelta(hours=1))
    # A paper starred three days ago that has since got its code and a dataset: its page
    # (`i 2608.09888`) read from the cache, the change at the head of Starred.
    library.details.store(DETAIL_ID, DETAIL.read_bytes(), DEMO_NOW - timedelta(hours=1))
    seed_watch(root / "data" / "watch.toml", DEMO_NOW - timedelta(hours=1))
    store = StateStore(root / "data" / "state.toml", clock=lambda: DEMO_NOW)
    papers = [p for d in sorted(bodies) for p in parse_api(bodies[d], d).papers]
    by_votes = sorted(papers, key=lambda p: -p.upvotes)
    # A believable morning: older days mostly read, a few stars, the newest day unread.
    seeded = StateStore(root / "data" / "state.toml", clock=lambda: DEMO_NOW - timedelta(days=1))
    seeded.load()
    for paper in papers:
        if paper.day < DEMO_DAYS[-2]:
            seeded.set_read(paper.id)
    for paper in by_votes[1:4]:
        seeded.set_starred(paper.id)
    seeded.set_starred(DETAIL_ID)
    seeded.record_visit()
    seeded.save()
    seen = SeenStore(root / "data" / "seen.json")
    seen_data = {
        p.id: [max(p.upvotes - (7 if i % 4 == 0 else 0), 0)]
        for i, p in enumerate(papers)
        if not (p.day == DEMO_DAYS[-1] and i % 3 == 0)  # a third of the newest day is new
    }
    seen.path.parent.mkdir(parents=True, exist_ok=True)
    seen.path.write_text(json.dumps({"version": 1, "papers": seen_data}))
    return build_app(
        library,
        store,
        seen=seen,
        config=config,
        end_date=DEMO_DAYS[-1],
        days=5,
        offline=True,
        opener=opener,
        clock=lambda: DEMO_NOW,
    )
