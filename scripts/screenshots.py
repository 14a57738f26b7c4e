"""Render the reader from real fixture data into screenshots/*.svg.

    .venv/bin/python scripts/screenshots.py

Deterministic: a real week of the corpus seeded into a private cache, a fixed clock,
offline. Run it after any change to what the reader shows, and review the SVGs.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from demo import DEMO_DAYS, NoBrowser, corpus_bodies, make_demo_app  # noqa: E402

OUT = REPO / "screenshots"
SIZE = (132, 36)


async def shoot(
    name: str, keys: list[str], bodies: dict[date, bytes], size: tuple[int, int] = SIZE
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # Every file the reader keeps goes to the demo's folder, never the user's.
        for kind in ("data", "cache", "config"):
            os.environ[f"PAPERTERM_{kind.upper()}_DIR"] = str(Path(tmp) / kind)
        app = make_demo_app(Path(tmp), opener=NoBrowser(), bodies=bodies)
        async with app.run_test(size=size) as pilot:
            await app.reader.refreshed.wait()
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
    print(f"wrote screenshots/{name}.svg")


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    bodies = corpus_bodies(DEMO_DAYS)
    await shoot("main", ["j", "j"], bodies)
    await shoot("filter", ["slash", *"diffusion video", "enter"], bodies)
    await shoot("query", ["slash", *"(agent OR agents) has:code -survey", "enter"], bodies)
    await shoot("help", ["question_mark"], bodies)
    await shoot("links", ["l"], bodies)
    await shoot("narrow-list", ["j"], bodies, (80, 24))
    await shoot("narrow-paper", ["j", "enter"], bodies, (80, 24))
    await shoot("search", ["F", *"kazakh", "enter"], bodies)
    await shoot("feeds", ["f"], bodies)
    await shoot("paper", ["i", *"2608.09888", "enter"], bodies)
    await shoot("starred", ["f", "5"], bodies)


if __name__ == "__main__":
    asyncio.run(main())
