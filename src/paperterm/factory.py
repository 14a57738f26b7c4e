"""One way to build the reader: `build_app`, used by `paperterm`, the tests, the benchmark
and the screenshot script, so what they run is wired the same way.

It applies, once, the two things written against one Textual release (the `Strip.divide`
fix and the collector policy) and says so when another release is installed, rather than
patching a Textual it was not written for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import textual

from paperterm import gcpolicy, paths
from paperterm.app import PapertermApp
from paperterm.config import Config
from paperterm.library import Library
from paperterm.seen import SeenStore
from paperterm.startup import Startup
from paperterm.state import StateStore
from paperterm.thumbnails import Protocol as ImageProtocol
from paperterm.widgets import _strip_fix
from paperterm.wiring import Opener, Wiring

TEXTUAL_WRITTEN_FOR = "8.2.8"
"""The Textual release the Strip fix and the paint code were measured on (pyproject pins it)."""

_applied = False


def textual_problem() -> str | None:
    # One stat for the expected release's dist-info: importlib.metadata would cost ~12 ms
    # of a ~250 ms start, and is asked only when the expected one is not there.
    site = Path(textual.__file__).resolve().parent.parent
    if (site / f"textual-{TEXTUAL_WRITTEN_FOR}.dist-info").is_dir():
        return None
    from importlib import metadata

    version = metadata.version("textual")
    if version == TEXTUAL_WRITTEN_FOR:
        return None
    return (
        f"Textual {version} is installed; paperterm was written for {TEXTUAL_WRITTEN_FOR}, "
        "so its Strip fix is not applied (reinstall with `pip install -e .`)"
    )


def apply_fixes() -> str | None:
    """The Strip fix, once per process, for the Textual it was written for."""
    global _applied
    problem = textual_problem()
    if problem is None and not _applied:
        _strip_fix.apply()
        _applied = True
    return problem


def build_app(
    library: Library,
    store: StateStore,
    *,
    seen: SeenStore | None = None,
    config: Config | None = None,
    end_date: date | None = None,
    days: int | None = None,
    offline: bool = False,
    opener: Opener | None = None,
    clock: Callable[[], datetime] | None = None,
    startup: Startup | None = None,
    in_terminal: bool = False,
    start_feed: str | None = None,
    search: str | None = None,
    start_topic: str | None = None,
    image_protocol: ImageProtocol = "off",
) -> PapertermApp:
    """The reader, wired. `in_terminal` is the real `paperterm`: signals save and exit,
    and what the imports made is frozen out of the collector's way."""
    problem = apply_fixes()
    config = config or library.config
    if problem:
        config.problems.append(problem)
    if in_terminal:
        gcpolicy.freeze()
    wiring = Wiring(
        library=library,
        store=store,
        seen=seen or SeenStore(paths.data_dir() / "seen.json"),
        config=config,
        clock=clock or library.clock,
        end_date=end_date,
        days=days,
        offline=offline,
        startup=startup,
        handle_signals=in_terminal,
        start_feed=start_feed,
        search=search,
        start_topic=start_topic,
        image_protocol=image_protocol,
        _opener=opener,
    )
    return PapertermApp(wiring)
