"""The reader: a Textual app over the library, the state store and the seen store.

The app does no IO of its own: loading, fetching and saving run in workers, and the
results come back as plain data. Everything scraped reaches the screen as `Content`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual import events, on, work
from textual.app import App, ComposeResult, SuspendNotSupported, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from paperterm import crashlog, gcpolicy, keys, paths
from paperterm.config import Config
from paperterm.library import DayRangeError, DayResult, Library, day_range, describe_age
from paperterm.links import UnsafeURL, check_url
from paperterm.listing import SORTS, Listing
from paperterm.model import Paper
from paperterm.prefs import ViewPrefs, save_prefs
from paperterm.query import Query, QueryError, highlight_pattern, parse_query
from paperterm.seen import SeenStore
from paperterm.session import ReadingSession
from paperterm.startup import RangeWanted, Startup, load_startup
from paperterm.state import StateStore
from paperterm.text import clean_line, plural
from paperterm.widgets.abstract import AbstractPane, paper_content
from paperterm.widgets.filter_input import FilterInput
from paperterm.widgets.keybar import KeyBar
from paperterm.widgets.paper_list import PaperList
from paperterm.widgets.status import StatusBar

if TYPE_CHECKING:
    from textual.actions import ActionParseResult
    from textual.dom import DOMNode

QUERY_HELP = """\
  words            all must match title, authors or abstract, at the start of a
                   word, any case: RL finds RLHF, not world; diffu finds diffusion
  "a phrase"       match the words together
  -word  -(a OR b) leave out papers that match
  a OR b  (a OR b) c     either; parentheses group
  title: author: abstract: org: kw:     match one field, e.g. author:"Yann LeCun"
  is:starred is:unread is:read is:new
  has:code has:project
  upvotes:>=20  stars:>100  comments:>3  upvotes:10..50  upvotes:..5
  day:2024-08-01  day:>=2024-08-01  day:2024-08-01..2024-08-15
A malformed query says what is wrong and keeps the last good list.
Esc clears the filter and keeps the cursor on the paper it found."""

NARROW = 100
"""Below this many columns the list and the paper take turns on the screen."""


LINK_KINDS = {
    "hf": "Hugging Face page",
    "arxiv": "arXiv abstract",
    "pdf": "PDF",
    "code": "Code (GitHub)",
    "project": "Project page",
}


class Opener(Protocol):
    def needs_terminal(self) -> bool: ...
    def open(self, url: str) -> bool: ...


class PapertermApp(App[None]):
    """The morning read."""

    CSS_PATH = "paperterm.tcss"
    TITLE = "paperterm"

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding(
            spec.keys,
            spec.action,
            spec.label,
            show=spec.show,
            priority=spec.priority,
            id=spec.id,
        )
        for spec in keys.TABLE
    ]

    def __init__(
        self,
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
        handle_signals: bool = False,
    ) -> None:
        super().__init__()
        self._handle_signals = handle_signals
        self._user_moved = False
        """Whether the user has moved the cursor: after that, nothing moves it for them."""
        self._layout = "auto"
        """'auto' (one pane below NARROW columns), 'single' or 'split': the v key."""
        self._wanted: RangeWanted | None = None
        self._failed_url: str | None = None
        """A link no browser could open, for the copy key, until the cursor moves."""
        self._last_input = time.monotonic()
        self._startup = startup
        self.library = library
        self.config = config or library.config
        self.keys_in_force = keys.resolve(self.config.keys)
        """The keys after the config's remaps: what help and the palette show."""
        self.store = store
        self.seen = seen or SeenStore(paths.data_dir() / "seen.json")
        self.session = ReadingSession(store, self.seen, self.config)
        self.flags = self.session.flags
        self.end_date = end_date
        self.days_wanted = days
        self.offline = offline
        self._opener = opener
        self.clock = clock or library.clock
        self.loaded: dict[date, DayResult] = {}
        self.listing = Listing()
        self.query_obj: Query | None = None
        self._read_timer: Timer | None = None
        self._followed: Paper | None = None
        """The paper the abstract pane and the read timer were last set up for."""
        self._abstract_stale = False
        self._noticed = False
        """The new-papers notice is given (and the visit recorded) once per run."""
        self._pre_filter_id: str | None = None
        self._status_source = "starting…"
        self._status_progress = ""
        self._status_note = ""
        self._save_note = ""
        """Why saving failed, shown until a save succeeds."""
        self._open_note = ""
        """What the last link did; cleared when the cursor moves."""
        self._tried: list[DayResult] = []
        """The days the last refresh asked for, with how each went: an empty list says it."""
        self._status_filter_error = ""
        self._counts = (0, 0)
        self._oldest_requested: date | None = None
        self._loading_older = False
        # Held, not queried: a timer that fires as the app shuts down (the read delay, the
        # abstract's highlight refresh) found them gone and crashed the exit.
        self.filter_input = FilterInput(
            self._on_filter_edit,
            placeholder='/ filter: words, "phrases", -exclude, author:, is:unread, upvotes:>=20 …',
            id="filter",
        )
        self.paper_list = PaperList(self.flags, id="papers")
        self.abstract = AbstractPane(id="abstract")
        self.status_bar = StatusBar(id="status")
        self.panes = Horizontal(id="panes")
        self.refreshed = asyncio.Event()
        """Set once the cached days are painted and the first refresh from the site has
        ended, well or not (offline: once the cache is painted)."""

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield self.filter_input
        with self.panes:
            yield self.paper_list
            yield self.abstract
        yield self.status_bar
        yield KeyBar(id="keys")

    @property
    def opener(self) -> Opener:
        if self._opener is None:
            # Imported on first use: webbrowser and subprocess cost ~20 ms of start-up.
            from paperterm.browser import BrowserOpener

            self._opener = BrowserOpener()
        return self._opener

    def on_mount(self) -> None:
        self.set_interval(1.0, self._collect_when_idle)
        if self._handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(signum, self._on_terminate, signum)
        for problem in self.keys_in_force.problems:
            self.notify(problem, severity="warning", markup=False, timeout=10)
        if self.keys_in_force.remapped:
            self.set_keymap(self.keys_in_force.remapped)
        self.paper_list.focus()
        for problem in self.config.problems:
            self.notify(problem, severity="warning", markup=False, timeout=8)
        if self._startup is not None:
            self._first_paint(self._startup)
            self._startup = None
        else:
            self._start()

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

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker failure ends here: the view stays, the user is told, the
        traceback goes to the log."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        where = crashlog.record(error, f"worker {event.worker.name}")
        what = clean_line(f"{type(error).__name__}: {error}", 300)
        self.notify(
            f"{event.worker.name} failed ({what}); the list is kept. Details: {where}",
            severity="error",
            markup=False,
            timeout=12,
        )

    # ------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="start", exit_on_error=False)
    def _start(self) -> None:
        """Read what the first frame needs (when run_app did not), then paint it."""
        startup = load_startup(
            self.library,
            self.store,
            self.seen,
            end_date=self.end_date,
            days_wanted=self.days_wanted,
        )
        self.call_from_thread(self._first_paint, startup)

    def _first_paint(self, startup: Startup) -> None:
        for warning in startup.warnings:
            self.notify(warning, severity="warning", markup=False, timeout=10)
        self._wanted = startup.wanted
        self.session.use_prefs(startup.prefs)
        self._receive(startup.first, True)
        painted = {r.day for r in startup.first}
        self.call_after_refresh(self._load_rest, startup.days, painted)

    @work(thread=True, exclusive=True, group="start", exit_on_error=False)
    def _load_rest(self, days: list[date], painted: set[date]) -> None:
        rest = [d for d in days if d not in painted]
        more = [r for d in rest if (r := self.library.cached(d)) is not None]
        if more:
            self.call_from_thread(self._receive, more, True)
        # Filtering should not pay for building the search text on the first keystroke.
        for result in self.loaded.copy().values():
            for paper in result.papers:
                paper.haystack  # noqa: B018  (a cached_property, computed here in the worker)
        self.call_from_thread(self._after_cache_paint, days)
        # Thousands of long-lived papers: keep the cyclic GC from walking them on every
        # collection (a pause of tens of ms in the middle of a keystroke).
        gcpolicy.settle()

    def _after_cache_paint(self, days: list[date]) -> None:
        self._oldest_requested = min(days)
        if self.offline:
            missing = [d for d in days if d not in self.loaded]
            self._status_source = self._source_text(self.loaded.values(), "offline", "cached")
            if missing and not self.loaded:
                self._status_note = "offline and nothing cached for these days"
            self._update_status()
            self._first_visit_notice()
            self._save_seen()
            self.refreshed.set()
            if self.paper_list.paper is None:
                self._show(None)
            return
        self._refresh(days, force=False, find_latest=self.end_date is None)

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def _refresh(self, days: list[date], force: bool, find_latest: bool) -> None:
        """Revalidate the range from the site: anchored on the site's newest day with
        papers (or the given --date), counting days with papers, weekends skipped."""
        self._status_progress = "checking the site…"
        self._update_status()
        wanted = self._wanted or RangeWanted(self.config.days)
        try:
            if find_latest:
                # Wherever the site's newest day is, before or after the cached one: the
                # range follows it both ways.
                anchor = await self.library.latest_day()
            elif days:
                anchor = max(days)
            else:
                newest = await asyncio.to_thread(self.library.newest_cached)
                anchor = newest or self.library.today()
            done = 0

            def progress(result: DayResult) -> None:
                nonlocal done
                done += 1
                self._status_progress = f"fetched {done} days"
                self._receive([result], False)

            results = await self.library.load_range(
                anchor,
                wanted.count,
                since=wanted.since,
                max_count=wanted.max_count,
                force=force,
                on_result=progress,
            )
            # Older days the user brought in (`]`, go-to-day) are refreshed with the rest.
            in_range = {r.day for r in results}
            extra = [d for d in days if d not in in_range]
            if extra:
                results += await self.library.load_days(extra, force=force, on_result=progress)
            self._oldest_requested = min(
                [self._oldest_requested or anchor, *days, *(r.day for r in results)]
            )
        finally:
            self._status_progress = ""
        errors = [r for r in results if r.message and r.status in ("ok", "empty", "error")]
        self._tried = list(results)
        self._status_source = self._source_text(results)
        self._status_note = errors[0].message if errors else ""
        if errors:
            self.notify(
                f"{plural(len(errors), 'day')} could not be refreshed: {errors[0].message}",
                severity="warning",
                markup=False,
                timeout=8,
            )
        self._update_status()
        self._tell_cache_problem()
        self._first_visit_notice()
        self._save_seen()  # once per refresh, not once per day received
        self.refreshed.set()
        if self.paper_list.paper is None:
            self._show(None)

    def _tell_cache_problem(self) -> None:
        problem = self.library.take_cache_problem()
        if problem:
            self.notify(
                f"{problem}; papers are shown, but will not be there offline",
                severity="warning",
                markup=False,
                timeout=10,
            )

    def _source_text(
        self, results: Iterable[DayResult], where: str | None = None, verb: str = "updated"
    ) -> str:
        """'huggingface.co · updated 5 min ago': where the list came from and how old it is."""
        where = where or self.config.base_url.split("://", 1)[-1].rstrip("/")
        ages = [r.fetched_at for r in results if r.fetched_at and r.papers]
        if not ages:
            return where
        return f"{where} · {verb} {describe_age(self.clock() - min(ages))}"

    def _receive(self, results: list[DayResult], from_cache: bool) -> None:
        """Merge loaded days into the list, keeping the cursor on its paper."""
        changed = False
        for result in results:
            if result.status in ("ok", "empty") and (
                result.papers or result.day not in self.loaded
            ):
                self.loaded[result.day] = result
                changed = True
            self.seen.record(result.papers)
        if from_cache and results:
            self._status_source = self._source_text(results, verb="cached")
        if changed:
            plist = self.paper_list
            first_paint = plist.paper is None
            newest_before = plist.rows[0].day if plist.rows else None
            moves = [
                m for r in self.loaded.values() for p in r.papers if (m := self.seen.movement(p))
            ]
            plist.set_movement(self.seen.movement, max(moves, default=0))
            self._rebuild()
            newer_day = (
                bool(plist.rows)
                and newest_before is not None
                and (plist.rows[0].day > newest_before)
            )
            # A newer day arriving (the refresh after a cached first paint) takes the cursor
            # to it, unless the user has moved: nothing jumps under their hands.
            if first_paint or (newer_day and not self._user_moved and self.query_obj is None):
                self._cursor_to_first_unread()
        self._update_status()

    def _cursor_to_first_unread(self) -> None:
        """Start on the first unread paper of the newest day, its header on screen."""
        plist = self.paper_list
        rows = plist.rows
        if not rows:
            return
        newest = rows[0].day
        day_papers = [r.paper for r in rows if r.day == newest and r.paper is not None]
        target = next((p for p in day_papers if not self.store.is_read(p.id)), None)
        if target is None and day_papers:
            target = day_papers[0]
        if target is not None:
            plist.select_id(target.id, with_day=True)
        self._follow_cursor()

    def _first_visit_notice(self) -> None:
        if self._noticed:
            return
        self._noticed = True
        new = sum(1 for r in self.loaded.values() for p in r.papers if self.seen.is_new(p))
        if new:
            since = self.store.last_visit
            when = f" since {since.astimezone(UTC):%a %d %b}" if since else ""
            self.notify(
                f"{plural(new, 'new paper')}{when} (N jumps to the next)", markup=False, timeout=6
            )
        self.store.record_visit()
        self._save_state()

    # ------------------------------------------------------------ the list

    def _rebuild(self, keep_id: str | None = None) -> None:
        plist = self.paper_list
        keep = frozenset({plist.paper.id}) if plist.paper else frozenset()
        rows, shown, total = self.listing.build(
            ((d, r.papers) for d, r in self.loaded.items()),
            self.flags,
            query=self.query_obj,
            sort=self.sort,
            hide_read=self.hide_read,
            keep=keep,
        )
        self._counts = (shown, total)
        highlight = highlight_pattern(self.query_obj) if self.query_obj else None
        highlight_changed = highlight != plist.highlight
        plist.highlight = highlight
        plist.sort = self.sort  # set_rows below repaints every row
        before = plist.paper
        plist.set_rows(rows, keep_id=keep_id)
        if highlight_changed and plist.paper is before and before is not None:
            # Same paper, new matches to mark. While the user types in the filter the list
            # is what they watch: the abstract is repainted when they leave the field.
            if self.focused is self.filter_input:
                self._abstract_stale = True
            else:
                self._show(before, keep_scroll=True)
        self._update_status()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget is self.filter_input and self._abstract_stale:
            self._abstract_stale = False
            self._show(self.paper_list.paper, keep_scroll=True)

    @on(PaperList.Highlighted)
    def _on_highlighted(self) -> None:
        # A click, or rows replaced; keys have shown the paper already (run_action).
        self._follow_cursor()

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        self._last_input = time.monotonic()
        if self.paper_list.paper is not None:
            self._user_moved = True
        try:
            return await super().run_action(action, default_namespace, namespaces)
        finally:
            # The list's Highlighted message arrives a few loop turns later, after the
            # moved cursor has been painted: following it here paints the cursor and the
            # abstract in one frame instead of two.
            self._follow_cursor()

    def _collect_when_idle(self) -> None:
        gcpolicy.collect_if_idle(time.monotonic() - self._last_input)

    def _follow_cursor(self) -> None:
        """Show the paper under the cursor and set it to be marked read, once per paper
        however the cursor got there."""
        paper = self.paper_list.paper
        if paper is self._followed:
            return
        left_behind = self._followed is not None and (
            paper is None or paper.id != self._followed.id
        )
        if left_behind and (self._open_note or self._failed_url):
            # The link notes were about the paper left behind.
            self._open_note = ""
            self._failed_url = None
            self._update_status()
        self._followed = paper
        self._show(paper)
        rule = self.session.read_rule
        rule.follow(paper.id if paper else None, paper is None or self.store.is_read(paper.id))
        if rule.due is None or paper is None:
            return
        if rule.delay <= 0 and self._reading():
            rule.forget()
            self._mark_read(paper.id, record_undo=False)
            return
        if self._read_timer is None:
            self._read_timer = self.set_timer(max(rule.delay, rule.poll), self._read_check)

    def _read_check(self) -> None:
        """Mark the paper read if the cursor stayed on it for the read delay.

        One timer serves a run of cursor moves, re-armed for whatever is due next: a timer
        made and cancelled per move cost an asyncio task each time a key was held down.
        """
        self._read_timer = None
        current = self.paper_list.paper
        rule = self.session.read_rule
        verdict = rule.check(current.id if current else None, self._reading())
        if verdict == "wait":
            # Not looked at (the filter typed into, a dialog open), or not yet long enough.
            self._read_timer = self.set_timer(rule.remaining, self._read_check)
        elif verdict == "mark" and current is not None:
            self._mark_read(current.id, record_undo=False)

    def _reading(self) -> bool:
        """Whether the user is looking at the paper: the list or its abstract has focus."""
        return self.screen is self.screen_stack[0] and self.focused in (
            self.paper_list,
            self.abstract,
        )

    def _show(self, paper: Paper | None, keep_scroll: bool = False) -> None:
        if paper is None:
            empty = self._empty_text()
            self.abstract.show(empty)
            # The list pane says it too: an empty list is where the eye goes first.
            self.paper_list.set_placeholder(empty if not self.paper_list.rows else None)
            return
        self.paper_list.set_placeholder(None)
        pattern = highlight_pattern(self.query_obj) if self.query_obj else None
        flags = (
            self.store.is_starred(paper.id),
            self.store.is_read(paper.id),
            self.store.is_pending(paper.id),
            self.seen.is_new(paper),
            self.seen.movement(paper),
        )
        starred, read, pending, new, movement = flags
        content = paper_content(
            paper,
            starred=starred,
            read=read,
            pending=pending,
            new=new,
            movement=movement,
            highlight=pattern,
        )
        # Everything the text is made from: the same key, the same text.
        key = (paper, flags, pattern.pattern if pattern else None)
        if keep_scroll:
            self.abstract.update_in_place(content, key)
        else:
            self.abstract.show(content, key)

    def _empty_text(self) -> Content:
        """What the abstract pane says when there is no paper to show, and what to do."""
        if self.query_obj is not None or self.hide_read:
            return Content("No paper matches. Esc clears the filter; H shows read papers.")
        if not self.refreshed.is_set():
            return Content("Loading…")
        failed = [r for r in self._tried if r.status == "error"]
        if failed:
            days = sorted(r.day for r in failed)
            span = f"{days[0]:%a %d %b %Y}"
            if len(days) > 1:
                span = f"{days[0]:%a %d %b} to {days[-1]:%a %d %b %Y} ({len(days)} days)"
            lines = [
                f"Nothing could be loaded for {span}, and none of it is cached.",
                "",
                f"Why: {failed[-1].message}",
                "",
                "What to do:",
                "  r   try again",
                "  d   go to another day",
                "  paperterm --offline   read only what is cached",
                "  check the network, or HTTPS_PROXY / HTTP_PROXY if you use a proxy",
            ]
            return Content("\n".join(lines))
        lines = ["No papers to show for these days."]
        if self._status_note:
            lines += ["", self._status_note, "", "r tries again; d goes to another day."]
        elif self.offline:
            lines += [
                "",
                "Offline, and nothing is cached for them. `paperterm fetch` fills the cache;",
                "d goes to another day.",
            ]
        else:
            lines += ["", "d goes to another day."]
        return Content("\n".join(lines))

    @on(PaperList.Activated)
    def _on_activated(self, event: PaperList.Activated) -> None:
        if self.single_pane:
            self._show_pane("paper")  # the list, then the paper
        else:
            self.action_links()

    # ------------------------------------------------------------ state changes

    def _changed(self, paper_ids: Iterable[str]) -> None:
        plist = self.paper_list
        plist.refresh_papers(set(paper_ids))
        current = plist.paper
        if current is not None:
            self._show(current, keep_scroll=True)
        self._save_state()

    def _mark_read(self, paper_id: str, *, record_undo: bool = True, read: bool = True) -> None:
        if self.session.set_read(paper_id, read, record_undo=record_undo):
            self._changed([paper_id])

    @work(thread=True, group="save", exit_on_error=False)
    def _save_state(self) -> None:
        ok = self.store.save()
        message = None if ok else self.store.save_error
        self.call_from_thread(self._saved, message)

    def _saved(self, error: str | None) -> None:
        """A save ended: what it wrote is now painted as done (until then it shows as
        saving), and a failure is said until a later save succeeds."""
        settled = self.store.take_settled()
        if settled:
            self.paper_list.refresh_papers(settled)
            current = self.paper_list.paper
            if current is not None and current.id in settled:
                self._show(current, keep_scroll=True)
        note = error or ""
        if note != self._save_note:
            self._save_note = note
            self._update_status()

    @work(thread=True, exclusive=True, group="prefs", exit_on_error=False)
    def _save_prefs(self, prefs: ViewPrefs) -> None:
        save_prefs(paths.prefs_file(), prefs)

    @work(thread=True, exclusive=True, group="seen", exit_on_error=False)
    def _save_seen(self) -> None:
        self.seen.save()

    # ------------------------------------------------------------ status

    def _update_status(self) -> None:
        shown, total = self._counts
        left: list[tuple[str, str] | str] = [(f" {self._status_source}", "$text-muted")]
        if self._status_progress:
            left += ["  ", (f"⟳ {self._status_progress}", "$text-accent")]
        for note in (self._save_note, self._status_note):
            if note:
                left += ["  ", (note, "$text-warning")]
        if self._open_note:
            left += ["  ", (self._open_note, "$text-muted")]
        right: list[tuple[str, str] | str] = []
        if self._status_filter_error:
            right += [(f"query: {self._status_filter_error}", "$text-error"), "  "]
        if self.query_obj is not None or self.hide_read:
            right.append(f"{shown:,} of {plural(total, 'paper')}")
        else:
            right.append(plural(total, "paper"))
        right.append(f"  ·  sort: {SORTS[self.sort][0]}")
        if self.hide_read:
            right.append("  ·  read hidden")
        self.status_bar.set(Content.assemble(*left), Content.assemble(*right, " "))

    # ------------------------------------------------------------ actions: movement

    def action_move(self, delta: int) -> None:
        if self.focused is self.abstract:
            self.abstract.scroll_relative(y=delta, animate=False)
            return
        before = self.paper_list.cursor
        self.paper_list.move(delta)
        if delta > 0 and self.paper_list.cursor == before and self.query_obj is None:
            # Moving down past the oldest loaded day brings in the week before it.
            self._load_older()

    def action_first(self) -> None:
        self.paper_list.first()

    def action_last(self) -> None:
        self.paper_list.last()

    def action_page(self, direction: int) -> None:
        if self.focused is self.abstract:
            if direction > 0:
                self.abstract.scroll_page_down(animate=False)
            else:
                self.abstract.scroll_page_up(animate=False)
            return
        self.paper_list.page(direction)

    def action_day(self, direction: int) -> None:
        if not self.paper_list.next_day(direction) and direction > 0:
            self._load_older()

    def action_next_unread(self) -> None:
        if not self.paper_list.find_next(lambda p: not self.store.is_read(p.id)):
            self.notify("No unread papers in the list.", markup=False)

    def action_next_new(self) -> None:
        if not self.paper_list.find_next(lambda p: self.seen.is_new(p)):
            self.notify("No papers new since your last visit.", markup=False)

    def action_switch_pane(self) -> None:
        if self.focused is self.paper_list:
            self._show_pane("paper")
        else:
            self._show_pane("list")

    # ------------------------------------------------------------ one pane or two

    @property
    def single_pane(self) -> bool:
        """One pane at a time: the terminal is narrow, or the user asked (v)."""
        return self._layout == "single" or (self._layout == "auto" and self.size.width < NARROW)

    def _show_pane(self, which: str, focus: bool = True) -> None:
        """Focus the list or the paper; with one pane at a time, show only that one."""
        self.panes.set_class(self.single_pane, "-single")
        self.panes.set_class(self.single_pane and which == "paper", "-paper")
        if focus:
            (self.abstract if which == "paper" else self.paper_list).focus()

    def on_resize(self, event: events.Resize) -> None:
        # The layout follows the width; the focus stays where the user put it.
        self._show_pane("paper" if self.focused is self.abstract else "list", focus=False)

    def action_open_paper(self) -> None:
        """Enter: read the paper. One pane at a time: it replaces the list (Esc goes back);
        side by side: the abstract takes the keys (j/k scroll it, Tab goes back)."""
        if self.paper_list.paper is not None:
            self._show_pane("paper")

    def action_toggle_layout(self) -> None:
        self._layout = "split" if self.single_pane else "single"
        self._show_pane("paper" if self.focused is self.abstract else "list")
        self.notify(
            "One pane at a time: Enter opens the paper, Esc goes back to the list."
            if self.single_pane
            else "List and paper side by side.",
            markup=False,
            timeout=3,
        )

    def action_scroll_abstract(self) -> None:
        pane = self.abstract
        if pane.scroll_y >= pane.max_scroll_y:
            self.action_next_unread()
        else:
            pane.scroll_page_down(animate=False)

    # ------------------------------------------------------------ actions: state

    def action_star(self) -> None:
        paper = self.paper_list.paper
        if paper is None:
            return
        self.session.toggle_star(paper.id)
        self._changed([paper.id])

    def action_toggle_read(self) -> None:
        paper = self.paper_list.paper
        if paper is None:
            return
        self.session.toggle_read(paper.id)
        self._changed([paper.id])

    def action_mark_day_read(self) -> None:
        plist = self.paper_list
        paper = plist.paper
        if paper is None:
            return
        day_papers = [r.paper for r in plist.rows if r.paper is not None and r.day == paper.day]
        changes = self.session.mark_all_read(day_papers, "mark day read")
        if changes:
            self._changed(changes)
            if self.hide_read:
                self._rebuild()
        self.notify(
            f"Marked {plural(len(changes), 'paper')} of {paper.day:%a %d %b} read (u undoes).",
            markup=False,
        )

    def action_undo(self) -> None:
        step = self.session.undo()
        if step is None:
            self.notify("Nothing to undo.", markup=False)
            return
        self._changed(step.paper_ids)
        if self.hide_read:
            self._rebuild()
        self.notify(f"Undid {step.label}.", markup=False)

    @property
    def sort(self) -> str:
        return self.session.sort

    @property
    def hide_read(self) -> bool:
        return self.session.hide_read

    def action_hide_read(self) -> None:
        self.session.toggle_hide_read()
        self._rebuild()
        self._save_prefs(self.session.prefs)

    def action_cycle_sort(self) -> None:
        self.session.cycle_sort()
        self._rebuild()
        self._save_prefs(self.session.prefs)
        self.notify(f"Sorted by {SORTS[self.sort][0]} within each day.", markup=False, timeout=2)

    # ------------------------------------------------------------ actions: links

    def action_open_link(self, kind: str) -> None:
        paper = self.paper_list.paper
        if paper is None:
            return
        urls = {
            "hf": paper.hf_url,
            "arxiv": paper.arxiv_url,
            "pdf": paper.pdf_url,
            "code": paper.github,
            "project": paper.project_page,
        }
        url = urls.get(kind)
        label = LINK_KINDS.get(kind, kind)
        if not url:
            self.notify(f"This paper has no {label.lower()} link.", markup=False)
            return
        self._open(paper, label, url)

    def action_links(self) -> None:
        paper = self.paper_list.paper
        if paper is None:
            return

        def chosen(url: str | None) -> None:
            if url:
                label = next((lbl for lbl, u in paper.links if u == url), "link")
                self._open(paper, label, url)

        from paperterm.widgets.dialogs import LinkPicker  # dialogs load when first opened

        self.push_screen(LinkPicker(paper.title, paper.links), chosen)

    def _open(self, paper: Paper, label: str, url: str) -> None:
        try:
            check_url(url)
        except UnsafeURL as error:
            self.notify(f"Refused to open {label}: {error}", severity="error", markup=False)
            return
        if self.opener.needs_terminal():
            # A console browser takes over this terminal: step aside until it exits.
            try:
                with self.suspend():
                    ok = self.opener.open(url)
            except SuspendNotSupported:
                self._open_in_thread(paper.id, label, url)
            else:
                self._opened(paper.id, label, url, ok)
        else:
            self._open_in_thread(paper.id, label, url)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_in_thread(self, paper_id: str, label: str, url: str) -> None:
        ok = self.opener.open(url)
        self.call_from_thread(self._opened, paper_id, label, url, ok)

    def _opened(self, paper_id: str, label: str, url: str, ok: bool) -> None:
        """Say what happened: 'opened' only when a browser was started."""
        if ok:
            self._failed_url = None
            self._open_note = f"opened {label}: {url}"
            self._mark_read(paper_id, record_undo=False)
        else:
            self._failed_url = url
            self._open_note = f"no browser could be started; {label}: {url} (y copies it)"
            self.notify(
                f"No browser could be started (set $BROWSER). {label}: {url}\n"
                "Press y to copy the link.",
                severity="error",
                markup=False,
                timeout=10,
            )
        self._update_status()

    def action_copy_link(self) -> None:
        """Copy the link that could not be opened, else the paper's id and page."""
        paper = self.paper_list.paper
        if self._failed_url:
            text = self._failed_url
        elif paper is not None:
            text = f"{paper.id} {paper.hf_url}"
        else:
            return
        self.copy_to_clipboard(text)
        self._open_note = f"copied: {text}"
        self._update_status()

    # ------------------------------------------------------------ actions: filter

    def action_focus_list(self) -> None:
        self.paper_list.focus()

    def action_focus_filter(self) -> None:
        self.filter_input.focus()

    def action_clear_filter(self) -> None:
        if self.single_pane and self.focused is self.abstract:
            self._show_pane("list")  # Esc in the paper goes back to the list
            return
        field = self.filter_input
        had_filter = bool(field.value) or self.query_obj is not None
        # The paper the filter found stays under the cursor: that is what the user was after.
        found = self.paper_list.paper
        keep = found.id if found is not None and had_filter else self._pre_filter_id
        # Cleared first, so the field's own edit handler finds nothing left to do.
        self.query_obj = None
        field.value = ""
        self._status_filter_error = ""
        field.remove_class("-invalid")
        self.paper_list.focus()
        if had_filter:
            self._rebuild(keep_id=keep)
        self._pre_filter_id = None

    def _on_filter_edit(self, text: str) -> None:
        """Narrow the list as the filter is typed (FilterInput calls this on each edit)."""
        self._last_input = time.monotonic()
        try:
            query = parse_query(text)
        except QueryError as error:
            # Keep the last good result; say what is wrong in place.
            self._status_filter_error = str(error)
            self.filter_input.add_class("-invalid")
            self._update_status()
            return
        self._status_filter_error = ""
        self.filter_input.remove_class("-invalid")
        wanted = None if query.is_empty else query
        if wanted is None and self.query_obj is None:
            # Nothing to filter by, before or after (spaces typed, or cleared by Esc).
            self._update_status()
            return
        if self._pre_filter_id is None and self.query_obj is None and self.paper_list.paper:
            self._pre_filter_id = self.paper_list.paper.id
        self.query_obj = wanted
        self._rebuild()
        self._follow_cursor()

    @on(FilterInput.Submitted, "#filter")
    def _on_filter_submitted(self) -> None:
        self.paper_list.focus()

    # ------------------------------------------------------------ actions: days

    def action_refresh(self) -> None:
        if self.offline:
            self.notify("Offline: not refreshing.", markup=False)
            return
        # With nothing loaded, the refresh finds its own anchor (off the event loop).
        self._refresh(
            sorted(self.loaded, reverse=True), force=True, find_latest=self.end_date is None
        )

    def action_goto_date(self) -> None:
        def chosen(day: date | None) -> None:
            if day is not None:
                self._goto(day)

        from paperterm.widgets.dialogs import GotoDate

        self.push_screen(GotoDate(), chosen)

    @work(exclusive=True, group="goto", exit_on_error=False)
    async def _goto(self, day: date) -> None:
        try:
            await self.library.check_day(day, offline=self.offline)
        except DayRangeError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        # A day and the few before it, so a weekend lands on the Friday.
        days = [d for d in day_range(day, 4) if d not in self.loaded]
        results = await self.library.load_days(days, offline=self.offline)
        self._receive(list(results), False)
        self._oldest_requested = min([*days, self._oldest_requested or day])
        target = next(
            (
                r
                for r in sorted(self.loaded.values(), key=lambda r: r.day, reverse=True)
                if r.day <= day and r.papers
            ),
            None,
        )
        if target is None:
            self.notify(f"No papers on or just before {day}.", markup=False)
            return
        shown = next(
            (r.paper for r in self.paper_list.rows if r.paper is not None and r.day == target.day),
            None,
        )
        if shown is not None:
            self.paper_list.select_id(shown.id)
        else:  # the day has papers (target was chosen for that), but none passes the filter
            self.notify("The day's papers are hidden by the filter.", markup=False)

    def _load_older(self) -> None:
        if self._loading_older or self._oldest_requested is None:
            return
        self._loading_older = True
        self._load_older_worker(self._oldest_requested)

    @work(group="older", exit_on_error=False)
    async def _load_older_worker(self, oldest: date) -> None:
        try:
            days = day_range(oldest - timedelta(days=1), 7)
            self._status_progress = f"loading {days[-1]:%d %b}–{days[0]:%d %b}"
            self._update_status()
            results = await self.library.load_days(days, offline=self.offline)
            self._oldest_requested = min(days)
            self._receive(list(results), False)
        finally:
            self._status_progress = ""
            self._loading_older = False
            self._update_status()

    # ------------------------------------------------------------ help and palette

    def action_help(self) -> None:
        from paperterm.widgets.dialogs import HelpScreen

        shown = self.keys_in_force.shown
        rows = [(shown(spec.id), spec.help) for spec in keys.TABLE]
        self.push_screen(HelpScreen([*rows, *keys.FIXED_HELP], QUERY_HELP))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for spec in keys.TABLE:
            if spec.palette:
                yield SystemCommand(
                    spec.palette,
                    f"Key: {self.keys_in_force.shown(spec.id)}",
                    partial(self.call_later, self.run_action, spec.action),
                )


def run_app(date: date | None = None, days: int | None = None, offline: bool = False) -> int:
    from paperterm.config import load_config
    from paperterm.factory import build_app

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
