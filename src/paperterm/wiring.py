"""What the reader is built from: the stores, the library and the options it was started
with, in one value that `build_app` makes and the App and its screens read.

Plain data, no Textual, so the factory's signature is the only list of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from paperterm.config import Config
from paperterm.library import Library
from paperterm.seen import SeenStore
from paperterm.startup import Startup
from paperterm.state import StateStore
from paperterm.thumbnails import Protocol as ImageProtocol

if TYPE_CHECKING:
    from paperterm.topics import TopicStore
    from paperterm.watch import StarWatch


class Opener(Protocol):
    """Opens a link in a browser: `BrowserOpener`, or a recorder in tests."""

    def needs_terminal(self) -> bool: ...
    def open(self, url: str) -> bool: ...


@dataclass
class Wiring:
    library: Library
    store: StateStore
    seen: SeenStore
    config: Config
    clock: Callable[[], datetime]
    end_date: date | None = None
    """--date: the newest day to show; None follows the site's newest day."""
    days: int | None = None
    """--days: how many days with papers to show; None uses the config (and the visit)."""
    offline: bool = False
    startup: Startup | None = None
    """What the first frame shows, read before the UI started (None: read in a worker)."""
    handle_signals: bool = False
    """SIGTERM and SIGHUP save and exit: the real terminal, not tests."""
    start_feed: str | None = None
    """--feed: the feed to open over the days (else the config's `start_feed`)."""
    search: str | None = None
    """--search: a search of the site to open over the days."""
    start_topic: str | None = None
    """--topic: a saved topic to open over the days."""
    image_protocol: ImageProtocol = "off"
    """How the paper page draws thumbnails, chosen before the UI started (thumbnails.py)."""
    _opener: Opener | None = None
    _topics: TopicStore | None = None
    _watch: StarWatch | None = None

    @property
    def watch(self) -> StarWatch:
        """What the starred papers last showed; `load()` it off the event loop."""
        if self._watch is None:
            from paperterm.watch import open_watch

            self._watch = open_watch()
        return self._watch

    @property
    def topics(self) -> TopicStore:
        """The topics (config and saved); `load()` it off the event loop before use."""
        if self._topics is None:
            from paperterm.topics import open_topics

            self._topics = open_topics(self.config)
        return self._topics

    @property
    def opener(self) -> Opener:
        if self._opener is None:
            # Imported on first use: webbrowser and subprocess cost ~20 ms of start-up.
            from paperterm.browser import BrowserOpener

            self._opener = BrowserOpener()
        return self._opener
