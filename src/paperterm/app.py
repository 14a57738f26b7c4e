"""The reader's App: it wires the config, library, session and screens, and owns only
what is the whole program's: the keymap, signals, crashes, the collector, help and the
palette. Each view is a screen that owns its widgets and workers (`paperterm.screens`).

The app does no IO of its own: loading, fetching and saving run in the screens' workers,
and the results come back as plain data. Everything scraped reaches the screen as `Content`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections.abc import Iterable, Mapping
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen
from textual.worker import Worker

from paperterm import crashlog, gcpolicy, keys, paths
from paperterm.config import load_config
from paperterm.library import Library
from paperterm.screens.day_reader import DayReaderScreen
from paperterm.screens.failures import report_worker_failure
from paperterm.screens.papers import PapersScreen, bindings_for
from paperterm.seen import SeenStore
from paperterm.session import ReadingSession
from paperterm.startup import load_startup
from paperterm.state import StateStore
from paperterm.text import plural
from paperterm.thumbnails import choose_protocol
from paperterm.wiring import Wiring

if TYPE_CHECKING:
    from textual.actions import ActionParseResult
    from textual.dom import DOMNode

    from paperterm.screens.navigation import OpenFeed

QUERY_HELP = """\
  words            all must match title, authors or abstract at the start of
                   a word, any case: RL finds RLHF, not world
  "a phrase"       the words together
  -word  -(a OR b) leave out papers that match
  a OR b           either;  (a OR b) c  groups
  title: author: abstract: org: kw:   one field, e.g. author:"Yann LeCun"
  is:starred is:unread is:read is:new is:changed   has:code has:project
  upvotes:>=20  stars:>100  comments:>3  upvotes:10..50  upvotes:..5
  day:2024-08-01  day:>=2024-08-01  day:2024-08-01..2024-08-15
A malformed query says what is wrong and keeps the last good list.
Esc clears the filter and keeps the cursor on the paper it found."""


class PapertermApp(App[None]):
    """The morning read."""

    CSS_PATH = "paperterm.tcss"
    TITLE = "paperterm"
    BINDINGS: ClassVar[list[BindingType]] = bindings_for("app")

    def __init__(self, wiring: Wiring) -> None:
        super().__init__()
        self.wiring = wiring
        self.library = wiring.library
        self.store = wiring.store
        self.seen = wiring.seen
        self.config = wiring.config
        self.session = ReadingSession(wiring.store, wiring.seen, wiring.config)
        self.keys_in_force = keys.resolve(self.config.keys)
        """The keys after the config's remaps: what help and the palette show."""

    def get_default_screen(self) -> Screen[Any]:
        return DayReaderScreen(self.wiring, self.session)

    @property
    def reader(self) -> DayReaderScreen:
        """The day reader: the screen at the bottom of the stack, always there."""
        screen = self.screen_stack[0]
        assert isinstance(screen, DayReaderScreen)
        return screen

    def on_mount(self) -> None:
        self.set_interval(1.0, gcpolicy.IDLE.collect_if_idle)
        if self.wiring.handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(signum, self._on_terminate, signum)
        for problem in [*self.keys_in_force.problems, *self.config.problems]:
            self.notify(problem, severity="warning", markup=False, timeout=10)
        if self.keys_in_force.remapped:
            self.set_keymap(self.keys_in_force.remapped)
        self._start_feed()
        if self.wiring.startup is not None:
            self.use_theme(self.wiring.startup.prefs.theme)
        else:
            self.run_worker(self._read_theme(), name="read theme", exit_on_error=False)
        self.run_worker(self._check_topics(), name="check topics", exit_on_error=False)
        self.run_worker(self._check_starred(), name="check starred", exit_on_error=False)

    async def _read_theme(self) -> None:
        from paperterm.prefs import load_prefs

        prefs = await asyncio.to_thread(load_prefs, paths.prefs_file())
        self.use_theme(prefs.theme)

    def use_theme(self, chosen: str | None) -> None:
        """The theme last chosen (else the config's); one Textual does not know is said."""
        if chosen:
            self.session.theme = chosen
        name = self.session.theme
        if not name or name == self.theme:
            return
        if name not in self.available_themes:
            known = ", ".join(sorted(self.available_themes))
            self.notify(
                f"theme {name!r} is not one of Textual's ({known}); the default is used",
                severity="warning",
                markup=False,
                timeout=10,
            )
            return
        self.theme = name

    def watch_theme(self, name: str) -> None:
        """A theme chosen (the palette's "Change theme"): used from now on, next time too."""
        if name == self.session.theme or not self.is_running:
            return
        self.session.theme = name
        from paperterm.prefs import save_prefs

        prefs = self.session.prefs
        self.run_worker(
            partial(save_prefs, paths.prefs_file(), prefs),
            name="save theme",
            thread=True,
            group="prefs",
            exit_on_error=False,
        )

    async def _check_topics(self) -> None:
        """Read the topics and count what is new in each (the feed list shows it): after
        the days are painted and refreshed, so the first frame does not wait for it."""
        if not self.wiring.start_topic:
            await self.reader.refreshed.wait()
        store = self.wiring.topics
        await asyncio.to_thread(store.load)
        if store.problem:
            self.notify(store.problem, severity="warning", markup=False, timeout=10)
        if self.wiring.start_topic:
            from paperterm.screens.navigation import OpenFeed, TopicFeed

            self.post_message(OpenFeed(TopicFeed(self.wiring.start_topic)))
        if store.topics:
            await store.check(self.library.lists, offline=self.wiring.offline)

    async def _check_starred(self) -> None:
        """Ask the site about the starred papers checked longest ago (the config's budget
        of requests), after the days are painted; what changed is marked Δ in every feed."""
        await self.reader.refreshed.wait()
        watch = self.wiring.watch  # imported and read after the first paint, not before
        await asyncio.to_thread(watch.load)
        self.session.flags.watch = watch
        if watch.problem:
            self.notify(watch.problem, severity="warning", markup=False, timeout=10)
        starred = await asyncio.to_thread(lambda: self.store.starred_ids)
        budget = self.config.watch_budget
        if starred and budget:
            report = await watch.check(
                self.library.details, starred, budget=budget, offline=self.wiring.offline
            )
            await asyncio.to_thread(watch.save)
            if report.changed:
                self.notify(
                    f"{plural(len(report.changed), 'starred paper')} changed on the site "
                    "(Δ; f → Starred lists them first)",
                    markup=False,
                )
        if watch.changed_ids(starred):  # a Δ to show (found now, or not yet looked at)
            for shown in self.screen_stack:
                if isinstance(shown, PapersScreen):
                    shown.changed([])

    async def on_unmount(self) -> None:
        await self.library.aclose()

    def _handle_exception(self, error: Exception) -> None:
        # A crash the workers' handler did not catch: logged before Textual shows it, and
        # the app's return code (1) becomes the process's exit status.
        crashlog.record(error, "the reader crashed")
        super()._handle_exception(error)

    def _on_terminate(self, signum: int) -> None:
        """SIGTERM, or SIGHUP (the terminal closed): save everything, then leave."""
        self.store.save()
        self.seen.save()
        # A terminal that is gone can wedge the shutdown's last writes: what matters is
        # saved, so the process ends in a few seconds whatever the screen does.
        watchdog = threading.Timer(3.0, os._exit, (128 + signum,))
        watchdog.daemon = True  # a clean exit does not wait for it
        watchdog.start()
        self.exit(return_code=128 + signum)

    async def on_open_feed(self, message: OpenFeed) -> None:
        """Another feed: over the day reader, which stays at the bottom of the stack."""
        # Imported on first use: the feeds cost start-up nothing until one is opened.
        from paperterm.screens.feeds import ListScreen, StarredScreen, TopicScreen
        from paperterm.screens.navigation import TopicFeed

        while len(self.screen_stack) > 1:
            await self.pop_screen()
        feed = message.feed
        if feed == "days":
            return
        if feed == "starred":
            await self.push_screen(StarredScreen(self.wiring, self.session))
        elif isinstance(feed, TopicFeed):
            topic = self.wiring.topics.find(feed.name)
            if topic is None:
                self.notify(f"No topic is called {feed.name!r}.", markup=False)
                return
            await self.push_screen(TopicScreen(self.wiring, self.session, topic))
        else:
            await self.push_screen(ListScreen(self.wiring, self.session, feed))

    def _start_feed(self) -> None:
        """`--feed`, `--search` or the config's `start_feed`: opened over the days."""
        wiring = self.wiring
        if not (wiring.search or wiring.start_feed or self.config.start_feed != "days"):
            return
        from paperterm.lists import ListSpec
        from paperterm.screens.navigation import OpenFeed, feed_for

        if wiring.search:
            self.session.remember_search(wiring.search)
            self.post_message(OpenFeed(ListSpec("search", wiring.search)))
            return
        name = wiring.start_feed or self.config.start_feed
        if name and name != "days":
            self.post_message(OpenFeed(feed_for(name, wiring.clock().date())))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_worker_failure(self, event)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        gcpolicy.IDLE.note_input()
        screen = self.screen
        if isinstance(screen, PapersScreen):
            screen.before_action()
        try:
            return await super().run_action(action, default_namespace, namespaces)
        finally:
            if isinstance(screen, PapersScreen):
                screen.after_action()

    def action_help(self) -> None:
        from paperterm.widgets.dialogs import HelpScreen

        shown = self.keys_in_force.shown
        rows = [(shown(spec.id), spec.help) for spec in keys.TABLE]
        self.push_screen(HelpScreen([*rows, *keys.FIXED_HELP], QUERY_HELP))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        scopes = (*getattr(screen, "SCOPES", ()), "app")
        for spec in keys.TABLE:
            target = self if spec.where == "app" else screen
            if spec.palette and keys.offered(spec, scopes):
                yield SystemCommand(
                    spec.palette,
                    f"Key: {self.keys_in_force.shown(spec.id)}",
                    partial(self.call_later, self.run_action, spec.action, target),
                )


def run_app(
    date: date | None = None,
    days: int | None = None,
    offline: bool = False,
    *,
    feed: str | None = None,
    search: str | None = None,
    topic: str | None = None,
) -> int:
    from paperterm.factory import build_app  # the factory builds this module's App

    config = load_config()
    library = Library(config)
    store = StateStore(paths.state_file())
    seen = SeenStore(paths.data_dir() / "seen.json")
    # Read before the UI starts, so its first frame already shows the list.
    startup = load_startup(library, store, seen, end_date=date, days_wanted=days)
    app = build_app(
        library,
        store,
        seen=seen,
        config=config,
        end_date=date,
        days=days,
        offline=offline,
        startup=startup,
        in_terminal=True,
        start_feed=feed,
        search=search,
        start_topic=topic,
        image_protocol=choose_protocol(
            config.thumbnails, os.environ, sys.__stdout__ is not None and sys.__stdout__.isatty()
        ),
    )
    try:
        app.run()
    finally:
        # The app saved as things changed; this catches a change made in its last moment.
        store.save()
        seen.save()
    if store.save_error:
        print(f"paperterm: {store.save_error}", file=sys.stderr)
        return 1
    code = app.return_code or 0
    if code == 1:  # Textual's code for a crash: its traceback is on the screen
        print(
            f"paperterm: the reader crashed; the traceback is in {crashlog.log_path()}",
            file=sys.stderr,
        )
    return code
