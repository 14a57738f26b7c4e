"""The morning read: the Daily Papers of the last few days with papers, painted from the
cache at once, then brought up to date from the site; older days load as the cursor moves
past the oldest, and `d` goes to any day.

Which days, and what came back, is the `DayFeed`'s business (no Textual); this screen runs
its coroutines in workers, paints the results and keeps the cursor where the user wants it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date
from itertools import takewhile
from typing import ClassVar

from textual import work
from textual.binding import BindingType
from textual.content import Content

from paperterm import gcpolicy
from paperterm.feed import DayFeed
from paperterm.keys import Scope
from paperterm.library import DayResult
from paperterm.model import Paper
from paperterm.screens.papers import PapersScreen, bindings_for
from paperterm.session import ReadingSession
from paperterm.startup import Startup, load_startup
from paperterm.text import plural
from paperterm.wiring import Wiring


class DayReaderScreen(PapersScreen):
    BINDINGS: ClassVar[list[BindingType]] = bindings_for("days")
    SCOPES: ClassVar[tuple[Scope, ...]] = ("papers", "days")

    def __init__(self, wiring: Wiring, session: ReadingSession) -> None:
        super().__init__(wiring, session)
        self.library = wiring.library
        self.offline = wiring.offline
        self.feed = DayFeed(
            wiring.library,
            default_days=wiring.config.days,
            end_date=wiring.end_date,
            offline=wiring.offline,
            clock=wiring.clock,
        )
        self._startup = wiring.startup
        self._noticed = False
        """The new-papers notice is given (and the visit recorded) once per run."""
        self.refreshed = asyncio.Event()
        """Set once the cached days are painted and the first refresh from the site has
        ended, well or not (offline: once the cache is painted)."""

    def groups(self) -> Iterable[tuple[date, tuple[Paper, ...]]]:
        return self.feed.groups()

    def on_mount(self) -> None:
        super().on_mount()
        if self._startup is not None:
            self._first_paint(self._startup)
            self._startup = None
        else:
            self._start()

    # ------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="start", exit_on_error=False)
    def _start(self) -> None:
        """Read what the first frame needs (when run_app did not), then paint it."""
        startup = load_startup(
            self.library,
            self.store,
            self.seen,
            end_date=self.wiring.end_date,
            days_wanted=self.wiring.days,
        )
        self.app.call_from_thread(self._first_paint, startup)

    def _first_paint(self, startup: Startup) -> None:
        for warning in startup.warnings:
            self.notify(warning, severity="warning", markup=False, timeout=10)
        self.feed.wanted = startup.wanted
        # The first frame's days are held whole; the older ones, a list of thousands
        # of papers, without their texts until a paper is shown or the filter opens.
        self.feed.brief_before = min((r.day for r in startup.first if r.papers), default=None)
        self.session.use_prefs(startup.prefs)
        self.receive(startup.first, from_cache=True)
        painted = {r.day for r in startup.first}
        self.call_after_refresh(self._load_rest, startup.days, painted)

    @work(thread=True, exclusive=True, group="start", exit_on_error=False)
    def _load_rest(self, days: list[date], painted: set[date]) -> None:
        with gcpolicy.IDLE.held():
            self._load_days(days, painted)

    def _load_days(self, days: list[date], painted: set[date]) -> None:
        # Every month of the state, read here rather than row by row on the UI thread; and
        # the file lock, which the first star's save would otherwise import and make.
        self.store.load_all()
        self.store.prepare_to_save()

        for warning in self.store.new_warnings():
            self.app.call_from_thread(
                self.notify, warning, severity="warning", markup=False, timeout=10
            )
        rest = [d for d in days if d not in painted]
        brief = self.feed.is_brief
        more = [r for d in rest if (r := self.library.cached(d, brief=brief(d))) is not None]
        if more:
            listed = self.app.call_from_thread(self.receive, more, True, record_seen=False)
            # What the list showed is recorded once it is on screen, not before: at 98.8k
            # papers the record took a tenth of a second between the load and the paint.
            # (Textual's annotation of call_from_thread admits no coroutine function.)
            self.app.call_from_thread(self._painted)  # type: ignore[arg-type]
            for result in listed:
                self.seen.record(result.papers)
        self.app.call_from_thread(self._after_cache_paint, days)
        # Thousands of long-lived papers: keep the cyclic GC from walking them on every
        # collection (a pause of tens of ms in the middle of a keystroke).
        gcpolicy.settle()

    async def _painted(self) -> None:
        """Once the screen has been refreshed (or a second has passed: a screen closing
        refreshes no more)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wait_for_refresh(), 1.0)

    def _after_cache_paint(self, days: list[date]) -> None:
        self.feed.oldest_requested = min(days)
        if not self.offline:
            self._refresh(days, force=False)
            return
        self.status.source = self.feed.source_text(self.feed.loaded.values(), "offline", "cached")
        if self.feed.missing(days) and not self.feed.loaded:
            self.status.note = "offline and nothing cached for these days"
        self._settled()

    def _settled(self) -> None:
        """The first paint and the refresh (if any) are done: say what is new, once."""
        self.update_status()
        self._first_visit_notice()
        self._save_seen()  # once per refresh, not once per day received
        self.refreshed.set()
        if self.paper_list.paper is None:
            self.show_paper(None)

    async def _merge_state_copies(self) -> None:
        from paperterm.startup import merge_state_copies

        # What another paperterm or a sync tool wrote since we read it, then the copies.
        arrived = await asyncio.to_thread(self.store.reread)
        messages = await asyncio.to_thread(merge_state_copies, self.store)
        if messages or arrived:
            self.paper_list.repaint_all()
            if self.paper_list.paper is not None:
                self.show_paper(self.paper_list.paper, keep_scroll=True)
        for message in messages:
            self.notify(message, markup=False, timeout=10)

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def _refresh(self, days: list[date], force: bool) -> None:
        self.status.progress = "checking the site…"
        self.update_status()
        done = 0

        def progress(result: DayResult) -> None:
            nonlocal done
            done += 1
            self.status.progress = f"fetched {done} days"
            self.receive([result])

        try:
            outcome = await self.feed.refresh(days, force=force, on_result=progress)
        finally:
            self.status.progress = ""
        self.status.source = self.feed.source_text(outcome.results)
        self.status.note = outcome.problem
        if outcome.warning:
            self.notify(outcome.warning, severity="warning", markup=False, timeout=8)
        problem = self.library.take_cache_problem()
        if problem:
            self.notify(
                f"{problem}; papers are shown, but will not be there offline",
                severity="warning",
                markup=False,
                timeout=10,
            )
        self._settled()

    def receive(
        self, results: list[DayResult], from_cache: bool = False, *, record_seen: bool = True
    ) -> list[DayResult]:
        """Merge loaded days into the list, keeping the cursor on its paper; the days as
        merged. Unless `record_seen` is False (the caller records them), what the list
        shows is recorded for the next visit's new-paper marks."""
        book = self.session.book
        results = [
            r if not r.papers else replace(r, papers=book.merge(r.papers, r.fetched_at))
            for r in results
        ]
        if record_seen:
            for result in results:
                self.seen.record(result.papers)
        if from_cache and results:
            self.status.source = self.feed.source_text(results, verb="cached")
        if self.feed.merge(results):
            plist = self.paper_list
            first_paint = plist.paper is None
            newest_before = plist.rows[0].day if plist.rows else None
            plist.set_movement(self.seen.movement, self.seen.largest_movement(self.feed.papers()))
            self.rebuild()
            newer_day = (
                bool(plist.rows) and newest_before is not None and plist.rows[0].day > newest_before
            )
            # A newer day arriving (the refresh after a cached first paint) takes the cursor
            # to it, unless the user has moved: nothing jumps under their hands.
            if first_paint or (newer_day and not self.user_moved and self.query_obj is None):
                self._cursor_to_first_unread()
        self.update_status()
        return results

    def show_paper(self, paper: Paper | None, keep_scroll: bool = False) -> None:
        super().show_paper(paper, keep_scroll)
        if paper is not None and not paper.brief and paper.day == self.feed.brief_before:
            # The last day held whole: the first brief day below it is read before the
            # cursor gets there (`_read_whole` reads only what is not whole yet).
            self._read_whole(paper)

    def _cursor_to_first_unread(self) -> None:
        """Start on the first unread paper of the newest day, its header on screen."""
        rows = self.paper_list.rows
        if not rows:
            return
        newest = rows[0].day
        day_rows = takewhile(lambda r: r.day == newest, rows)  # not the rest of the list
        day_papers = [r.paper for r in day_rows if r.paper is not None]
        target = next((p for p in day_papers if not self.store.is_read(p.id)), None)
        if target is None and day_papers:
            target = day_papers[0]
        if target is not None:
            self.paper_list.select_id(target.id, with_day=True)
        self.follow_cursor()

    def _first_visit_notice(self) -> None:
        if self._noticed:
            return
        self._noticed = True
        new = self.seen.count_new(self.feed.papers())
        if new:
            since = self.store.last_visit
            when = f" since {since.astimezone(UTC):%a %d %b}" if since else ""
            self.notify(
                f"{plural(new, 'new paper')}{when} (N jumps to the next)", markup=False, timeout=6
            )
        self.store.record_visit()
        self.save_state()

    @work(thread=True, exclusive=True, group="seen", exit_on_error=False)
    def _save_seen(self) -> None:
        self.seen.save()

    def empty_text(self) -> Content:
        """What to say when there is no paper to show, and what to do."""
        if self.query_obj is not None or self.session.hide_read:
            return super().empty_text()
        if not self.refreshed.is_set():
            return Content("Loading…")
        failed = [r for r in self.feed.tried if r.status == "error"]
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
        if note := self.feed.empty_note():
            lines += ["", f"The site: {note}"]
        if self.offline:  # r would not fetch: say what would
            lines += [
                "",
                "Offline, and none of them is cached.",
                "`paperterm fetch` fills the cache; d goes to another day.",
            ]
        elif self.status.note:
            lines += ["", self.status.note, "", "r tries again; d goes to another day."]
        else:
            lines += ["", "d goes to another day."]
        return Content("\n".join(lines))

    # ------------------------------------------------------------ actions: days

    def action_refresh(self) -> None:
        # What another machine synced here (its conflict copies) is merged on refresh too.
        self.run_worker(self._merge_state_copies(), name="merge state", exit_on_error=False)
        if self.offline:
            self.notify("Offline: not refreshing.", markup=False)
            return
        # With nothing loaded, the refresh finds its own anchor (off the event loop).
        self._refresh(sorted(self.feed.loaded, reverse=True), force=True)

    def action_goto_date(self) -> None:
        def chosen(answer: date | str | None) -> None:
            if isinstance(answer, date):
                self._goto(answer)
            elif answer is not None:
                self.open_by_id(answer)

        from paperterm.widgets.dialogs import GotoPrompt

        self.app.push_screen(GotoPrompt(), chosen)

    @work(exclusive=True, group="goto", exit_on_error=False)
    async def _goto(self, day: date) -> None:
        outcome = await self.feed.goto(day)
        if outcome.message:
            self.notify(outcome.message, severity="warning", markup=False)
            return
        self.receive(outcome.results)
        target = self.feed.nearest_day(day)
        if target is None:
            self.notify(f"No papers on or just before {day}.", markup=False)
            return
        shown = next(
            (r.paper for r in self.paper_list.rows if r.paper is not None and r.day == target),
            None,
        )
        if shown is not None:
            self.paper_list.select_id(shown.id)
        else:  # the day has papers (target was chosen for that), but none passes the filter
            self.notify("The day's papers are hidden by the filter.", markup=False)

    def past_end(self) -> None:
        """Moving down past the oldest loaded day brings in the week before it."""
        days = self.feed.older_days()
        if self.feed.loading_older or not days:
            return
        self.feed.loading_older = True
        self._load_older(days)

    @work(group="older", exit_on_error=False)
    async def _load_older(self, days: list[date]) -> None:
        try:
            self.status.progress = f"loading {days[-1]:%d %b}–{days[0]:%d %b}"
            self.update_status()
            self.receive(await self.feed.load_older(days))
        finally:
            self.status.progress = ""
            self.feed.loading_older = False
            self.update_status()
