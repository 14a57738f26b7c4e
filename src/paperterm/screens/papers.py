"""A screen of papers: the filter, the list sectioned by day, the paper beside it (or in
turn with it on a narrow terminal), the status line and the key bar, and every key that
acts on the paper under the cursor.

The day reader is one (`DayReaderScreen`); a later feed (search, a week, trending,
starred) is another subclass that says where its papers come from (`groups`) and what an
empty list means (`empty_text`). The state changes go through the App's `ReadingSession`,
so a star set here is the same star everywhere; saves run in workers.

Over 400 lines because it is one screen's behaviour: splitting the cursor-following and
read rule from the key actions that move the cursor would put one conversation with the
list in two places.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Iterable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker

from paperterm import gcpolicy, keys, paths
from paperterm.listing import SORTS, Listing, Sort
from paperterm.model import Paper
from paperterm.prefs import ViewPrefs, save_prefs
from paperterm.query import Query, QueryError, highlight_pattern, parse_query
from paperterm.screens.failures import report_worker_failure
from paperterm.screens.links import LinkActions
from paperterm.session import Flags, ReadingSession
from paperterm.text import plural
from paperterm.widgets.abstract import AbstractPane, paper_content
from paperterm.widgets.filter_input import FilterInput
from paperterm.widgets.keybar import KeyBar
from paperterm.widgets.paper_list import PaperList
from paperterm.widgets.status import StatusBar
from paperterm.wiring import Wiring

if TYPE_CHECKING:
    from paperterm.export import Format

NARROW = 100
"""Below this many columns the list and the paper take turns on the screen."""

Layout = Literal["auto", "single", "split"]
Pane = Literal["list", "paper"]

WHOLE_KEPT = 2_000
"""Papers held whole for the pane beyond the first frame's days (a few days' worth)."""
SAVING_SHOWN_AFTER = 0.1
"""Seconds a change may wait for the disk before it is painted as saving: a save is a few
ms, so a star is painted once, when it is on disk, unless the disk is slow."""
FILTER_PLACEHOLDER = '/ filter: words, "phrases", -exclude, author:, is:unread, upvotes:>=20 …'


class StateChanged(Message):
    """Stars or read marks changed, or a save ended: a paper page on top repaints."""


def bindings_for(*where: keys.Scope) -> list[BindingType]:
    return [
        Binding(s.keys, s.action, s.label, show=s.show, priority=s.priority, id=s.id)
        for s in keys.TABLE
        if keys.offered(s, where)
    ]


class PapersScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = bindings_for("papers")
    SCOPES: ClassVar[tuple[keys.Scope, ...]] = ("papers",)
    """Where its keys come from: what the palette offers on it."""

    def __init__(self, wiring: Wiring, session: ReadingSession, flags: Flags | None = None) -> None:
        super().__init__()
        self.wiring = wiring
        self.store = wiring.store
        self.seen = wiring.seen
        self.session = session
        self.flags = flags or session.flags
        """Read, starred, saving and new, as this screen shows them (a topic has its own
        'new')."""
        self.listing = Listing()
        self._index_worker: Worker[None] | None = None
        """Building the filter's index (`action_focus_filter`), while it runs."""
        self._index_whole = False
        """Whether that index is of the papers whole (`Query.needs_texts`)."""
        self.listing.whole = wiring.library.whole_papers
        self.listing.index_texts = wiring.library.index_texts
        self._whole: OrderedDict[tuple[date, str], Paper] = OrderedDict()
        """Brief papers (`Paper.brief`) read whole for the pane, by day and id (a paper
        listed on two days is two), the newest kept last."""
        self._whole_asked: set[date] = set()
        self.query_obj: Query | None = None
        self.user_moved = False
        """Whether the user has moved the cursor: after that, nothing moves it for them."""
        self._layout: Layout = "auto"
        """'auto' (one pane below NARROW columns), 'single' or 'split': the v key."""
        self._read_timer: Timer | None = None
        self._followed: Paper | None = None
        """The paper the abstract pane and the read timer were last set up for."""
        self._abstract_stale = False
        self._pre_filter_id: str | None = None
        self._unsaved: dict[str, float] = {}
        """Changed papers not yet on disk, and when each is to be painted as saving."""
        # Held, not queried: a timer that fires as the app shuts down (the read delay, the
        # abstract's highlight refresh) found them gone and crashed the exit.
        self.filter_input = FilterInput(
            self._on_filter_edit, placeholder=FILTER_PLACEHOLDER, id="filter"
        )
        self.paper_list = PaperList(self.flags, id="papers")
        self.abstract = AbstractPane(id="abstract")
        self.status_bar = StatusBar(id="status")
        self.status = self.status_bar.line
        self.panes = Horizontal(id="panes")
        self.links = LinkActions(
            self,
            lambda: wiring.opener,
            on_opened=lambda paper_id: self._mark_read(paper_id, record_undo=False),
            on_note=self._set_open_note,
        )

    # ------------------------------------------------------------ what a feed supplies

    def groups(self) -> Iterable[tuple[date, tuple[Paper, ...]]]:
        """The papers to list, by day."""
        return ()

    def empty_text(self) -> Content:
        """What the paper pane says when no paper is listed."""
        if self.query_obj is not None or self.session.hide_read:
            return Content("No paper matches. Esc clears the filter; H shows read papers.")
        return Content("No papers.")

    def past_end(self) -> None:
        """The cursor was moved down past the last paper (the day reader loads older days)."""

    @property
    def sort(self) -> Sort:
        """The sort in force here: the session's (remembered) for days."""
        return self.session.sort

    def next_sort(self) -> Sort:
        return self.session.cycle_sort()

    def highlight(self) -> re.Pattern[str] | None:
        """What to mark in titles and abstracts: the filter's terms."""
        return highlight_pattern(self.query_obj) if self.query_obj else None

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield self.filter_input
        with self.panes:
            yield self.paper_list
            yield self.abstract
        yield self.status_bar
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.show_pane("list")

    def on_screen_resume(self) -> None:
        # The terminal may have been resized, and stars and read marks changed, while
        # another screen was on top.
        self.show_pane("paper" if self.focused is self.abstract else "list", focus=False)
        self.paper_list.repaint_all()
        if self.paper_list.paper is not None:
            self.show_paper(self.paper_list.paper, keep_scroll=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_worker_failure(self, event)
        if event.worker is self._index_worker and event.worker.is_finished:
            self._index_done()

    def before_action(self) -> None:
        """A key or click is about to act (the App calls this)."""
        if self.paper_list.paper is not None:
            self.user_moved = True

    def after_action(self) -> None:
        # The list's Highlighted message arrives a few loop turns later, after the moved
        # cursor has been painted: following it here paints the cursor and the abstract in
        # one frame instead of two.
        self.follow_cursor()

    @property
    def single_pane(self) -> bool:
        """One pane at a time: the terminal is narrow, or the user asked (v)."""
        width = self.app.size.width
        return self._layout == "single" or (self._layout == "auto" and width < NARROW)

    def show_pane(self, which: Pane, focus: bool = True) -> None:
        """Focus the list or the paper; with one pane at a time, show only that one."""
        self.panes.set_class(self.single_pane, "-single")
        self.panes.set_class(self.single_pane and which == "paper", "-paper")
        if focus:
            (self.abstract if which == "paper" else self.paper_list).focus()

    def on_resize(self, event: events.Resize) -> None:
        # The layout follows the width; the focus stays where the user put it.
        self.show_pane("paper" if self.focused is self.abstract else "list", focus=False)

    def update_status(self) -> None:
        line = self.status
        line.narrowed = self.query_obj is not None or self.session.hide_read
        line.sort = SORTS[self.sort][0]
        line.read_hidden = self.session.hide_read
        self.status_bar.update_line()

    def _set_open_note(self, note: str) -> None:
        self.status.open_note = note
        self.update_status()

    # ------------------------------------------------------------ the list

    def rebuild(self, keep_id: str | None = None) -> None:
        plist = self.paper_list
        keep = frozenset({plist.paper.id}) if plist.paper else frozenset()
        rows, shown, total = self.listing.build(
            self.groups(),
            self.flags,
            query=self.query_obj,
            sort=self.sort,
            hide_read=self.session.hide_read,
            keep=keep,
        )
        self.status.shown, self.status.total = shown, total
        highlight = self.highlight()
        highlight_changed = highlight != plist.highlight
        plist.highlight = highlight
        plist.sort = self.sort  # set_rows below repaints every row
        before = plist.paper
        listing = self.listing
        plist.set_rows(
            rows, keep_id=keep_id, row_ids=listing.row_ids, listed_twice=listing.listed_twice
        )
        if highlight_changed and plist.paper is before and before is not None:
            # Same paper, new matches to mark. While the user types in the filter the list
            # is what they watch: the abstract is repainted when they leave the field.
            if self.focused is self.filter_input:
                self._abstract_stale = True
            else:
                self.show_paper(before, keep_scroll=True)
        self.update_status()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget is self.filter_input and self._abstract_stale:
            self._abstract_stale = False
            self.show_paper(self.paper_list.paper, keep_scroll=True)

    @on(PaperList.Highlighted)
    def _on_highlighted(self) -> None:
        # A click, or rows replaced; keys have shown the paper already (after_action).
        self.follow_cursor()

    def follow_cursor(self) -> None:
        """Show the paper under the cursor and set it to be marked read, once per paper
        however the cursor got there."""
        paper = self.paper_list.paper
        if paper is self._followed:
            return
        left_behind = self._followed is not None and (
            paper is None or paper.id != self._followed.id
        )
        if left_behind and (self.status.open_note or self.links.failed_url):
            self.links.forget()  # the link notes were about the paper left behind
        self._followed = paper
        self.show_paper(paper)
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
        return self.app.screen is self and self.focused in (self.paper_list, self.abstract)

    def show_paper(self, paper: Paper | None, keep_scroll: bool = False) -> None:
        if paper is None:
            empty = self.empty_text()
            self.abstract.show(empty)
            # The list pane says it too: an empty list is where the eye goes first.
            self.paper_list.set_placeholder(empty if not self.paper_list.rows else None)
            return
        self.paper_list.set_placeholder(None)
        if paper.brief:
            # Its day and the days beside it read whole (once): shown with its texts
            # when they are in.
            self._read_whole(paper)
            whole = self._whole.get((paper.day, paper.id))
            if whole is not None:
                self._whole.move_to_end((paper.day, paper.id))
                paper = whole
        pattern = self.highlight()
        flags = (
            self.store.is_starred(paper.id),
            self.store.is_read(paper.id),
            self.store.is_pending(paper.id),
            self.flags.is_new(paper),
            self.seen.movement(paper),
        )
        starred, read, pending, new, movement = flags
        changes = self.changes_of(paper.id)
        note = self.store.note(paper.id)
        content = paper_content(
            paper,
            starred=starred,
            read=read,
            pending=pending,
            new=new,
            movement=movement,
            highlight=pattern,
            changes=changes,
            note=note,
        )
        # Everything the text is made from: the same key, the same text.
        key = (paper, flags, pattern.pattern if pattern else None, changes, note)
        if keep_scroll:
            self.abstract.update_in_place(content, key)
        else:
            self.abstract.show(content, key)

    def _read_whole(self, paper: Paper) -> None:
        """Read the brief papers of this paper's day whole, and of the days on either side
        (where the cursor goes next: no "reading" at each day's edge), in a worker."""
        groups = [(d, ps) for d, ps in self.groups() if ps]
        days = sorted({d for d, _ in groups})
        at = days.index(paper.day) if paper.day in days else -1
        near = {paper.day, *(days[i] for i in (at - 1, at + 1) if at >= 0 and 0 <= i < len(days))}
        near -= self._whole_asked
        whole = self._whole
        papers = [
            p for d, ps in groups if d in near for p in ps if p.brief and (d, p.id) not in whole
        ]
        key = (paper.day, paper.id)
        if paper.brief and paper.day in near and key not in whole and paper not in papers:
            papers.append(paper)  # listed here under a day the list does not group by
        if not papers:
            return
        asked = {p.day for p in papers}
        self._whole_asked |= asked
        self._read_whole_days(asked, papers)

    @work(thread=True, group="whole", exit_on_error=False)
    def _read_whole_days(self, days: set[date], papers: list[Paper]) -> None:
        whole = self.wiring.library.whole_papers(papers)
        self.app.call_from_thread(self._whole_arrived, days, whole)

    def _whole_arrived(self, days: set[date], papers: list[Paper]) -> None:
        self._whole_asked -= days
        for paper in papers:
            if not paper.brief:
                self._whole[(paper.day, paper.id)] = paper
        while len(self._whole) > WHOLE_KEPT:
            self._whole.popitem(last=False)
        current = self.paper_list.paper
        if current is not None and current.brief and (current.day, current.id) in self._whole:
            self.show_paper(current, keep_scroll=True)

    def changes_of(self, paper_id: str) -> str:
        """What changed on the site for a starred paper since its page was looked at."""
        if not self.flags.is_changed(paper_id):
            return ""
        from paperterm.watch import summary_text

        return summary_text(self.wiring.watch.pending(paper_id))

    @on(PaperList.Activated)
    def _on_activated(self, event: PaperList.Activated) -> None:
        self.open_page(event.paper)

    def open_page(self, paper: Paper) -> None:
        """The paper's page, over this list (Esc comes back to it as it was)."""
        from paperterm.screens.paper import PaperScreen  # loaded when first opened

        shown = self.session.book.newest(paper)
        if shown.brief:
            shown = self._whole.get((shown.day, shown.id), shown)
        if shown.brief:
            self._open_whole(shown)
        else:
            self.app.push_screen(PaperScreen(self, shown))
        self.mark_read(paper.id)

    @work(thread=True, group="whole", exit_on_error=False)
    def _open_whole(self, paper: Paper) -> None:
        from paperterm.screens.paper import PaperScreen

        [whole] = self.wiring.library.whole_papers([paper])
        self.app.call_from_thread(self.app.push_screen, PaperScreen(self, whole))

    # ------------------------------------------------------------ saving

    def changed(self, paper_ids: Iterable[str]) -> None:
        """Stars, read marks or notes changed: saved now, and painted once on disk (see
        `SAVING_SHOWN_AFTER`). Without ids, something else changed (a starred paper's
        changes seen): repainted at once."""
        ids = set(paper_ids)
        if not ids:
            self.paper_list.repaint_all()
            self._repaint_current(None)
            return
        # A save takes milliseconds: painting "saving" and then "saved" cost every star two
        # repaints. What is not on disk is shown as it was until it is, and as saving only
        # when the save is slow; what is painted as done is still always on disk.
        due = time.monotonic() + SAVING_SHOWN_AFTER
        for paper_id in ids:
            self._unsaved.setdefault(paper_id, due)
        self.set_timer(SAVING_SHOWN_AFTER, self._show_saving)
        self.save_state()

    def _repaint(self, paper_ids: set[str]) -> None:
        self.paper_list.refresh_papers(paper_ids)
        self._repaint_current(paper_ids)

    def _repaint_current(self, paper_ids: set[str] | None) -> None:
        current = self.paper_list.paper
        if current is not None and (paper_ids is None or current.id in paper_ids):
            self.show_paper(current, keep_scroll=True)
        if self.app.screen is not self:
            self.app.screen.post_message(StateChanged())

    def _show_saving(self, everything: bool = False) -> None:
        """Paint as saving what has waited for the disk past its time (all of it after a
        failed save, beside the failure)."""
        now = time.monotonic()
        late = {i for i, due in self._unsaved.items() if everything or due <= now}
        for paper_id in late:
            del self._unsaved[paper_id]
        waiting = {i for i in late if self.store.is_pending(i)}
        if waiting:
            self._repaint(waiting)

    def mark_read(self, paper_id: str) -> None:
        """Opened (its page, or a link): read, with no undo step of its own."""
        self._mark_read(paper_id, record_undo=False)

    def _mark_read(self, paper_id: str, *, record_undo: bool = True) -> None:
        if self.session.set_read(paper_id, True, record_undo=record_undo):
            self.changed([paper_id])

    def toggle_star(self, paper: Paper) -> None:
        """Star or unstar; a new star is watched from what it shows now (its links and
        stars), and the site is asked at once for its linked models, datasets and Spaces."""
        starred = self.session.toggle_star(paper.id)
        self.changed([paper.id])
        self.run_worker(
            self._watch_star(paper, starred), name="watch star", group="watch", exit_on_error=False
        )

    def toggle_read(self, paper_id: str) -> None:
        self.session.toggle_read(paper_id)
        self.changed([paper_id])

    async def _watch_star(self, paper: Paper, starred: bool) -> None:
        watch = self.wiring.watch
        now = self.wiring.clock()

        def record() -> None:
            if not watch.loaded:
                watch.load()
            if starred:
                watch.starred(paper, now)
            else:
                watch.unstarred(paper.id)
            watch.save()

        await asyncio.to_thread(record)
        if starred:
            result = await self.wiring.library.details.load(paper.id, offline=self.wiring.offline)
            if result.detail is not None and result.fetched_at is not None:
                detail, fetched_at = result.detail, result.fetched_at

                def observe() -> None:
                    watch.observe(detail, fetched_at, baseline=True)
                    watch.save()

                await asyncio.to_thread(observe)

    @work(thread=True, group="save", exit_on_error=False)
    def save_state(self) -> None:
        ok = self.store.save()
        self.app.call_from_thread(self._saved, None if ok else self.store.save_error)

    def _saved(self, error: str | None) -> None:
        """A save ended: what it wrote is now painted as done (until then it shows as
        saving), and a failure is said until a later save succeeds."""
        settled = self.store.take_settled()
        if settled:
            for paper_id in settled:
                self._unsaved.pop(paper_id, None)
            self._repaint(settled)
        if error:
            self._show_saving(everything=True)
        if (error or "") != self.status.save_note:
            self.status.save_note = error or ""
            self.update_status()

    @work(thread=True, exclusive=True, group="prefs", exit_on_error=False)
    def _save_prefs(self, prefs: ViewPrefs) -> None:
        save_prefs(paths.prefs_file(), prefs)

    # ------------------------------------------------------------ actions: movement

    def action_move(self, delta: int) -> None:
        if self.focused is self.abstract:
            self.abstract.scroll_relative(y=delta, animate=False)
            return
        before = self.paper_list.cursor
        self.paper_list.move(delta)
        if delta > 0 and self.paper_list.cursor == before and self.query_obj is None:
            self.past_end()

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
            self.past_end()

    def action_next_unread(self) -> None:
        if not self.paper_list.find_next(lambda p: not self.store.is_read(p.id)):
            self.notify("No unread papers in the list.", markup=False)

    def action_next_new(self) -> None:
        if not self.paper_list.find_next(self.flags.is_new):
            self.notify("No papers new since your last visit.", markup=False)

    def action_switch_pane(self) -> None:
        self.show_pane("paper" if self.focused is self.paper_list else "list")

    def action_open_paper(self) -> None:
        """Enter: the paper's page (Esc comes back here)."""
        if self.paper_list.paper is not None:
            self.open_page(self.paper_list.paper)

    def action_goto_paper(self) -> None:
        from paperterm.widgets.dialogs import GotoPrompt

        def chosen(answer: str | date | None) -> None:
            if isinstance(answer, str):
                self.open_by_id(answer)

        self.app.push_screen(GotoPrompt(days=False), chosen)

    def open_by_id(self, paper_id: str) -> None:
        """A paper's page by id: listed here, the cursor goes to it first; else it is
        looked up (the caches, then the site)."""
        listed = next((p for p in self.paper_list.papers if p.id == paper_id), None)
        if listed is not None:
            self.paper_list.select_id(paper_id)
            self.open_page(listed)
            return
        self.run_worker(self._look_up(paper_id), name="look up paper", exit_on_error=False)

    async def _look_up(self, paper_id: str) -> None:
        library = self.wiring.library
        paper = await asyncio.to_thread(library.find_paper, paper_id)
        if paper is None:
            self.notify(f"Looking up {paper_id}…", markup=False, timeout=2)
            result = await library.details.load(paper_id, offline=self.wiring.offline)
            if result.detail is None:
                why = (
                    "not on Hugging Face Papers"
                    if result.status == "not_found"
                    else f"it could not be looked up ({result.message})"
                )
                self.notify(f"{paper_id}: {why}.", severity="warning", markup=False)
                return
            paper = result.detail.paper
        self.open_page(paper)

    def action_toggle_layout(self) -> None:
        self._layout = "split" if self.single_pane else "single"
        self.show_pane("paper" if self.focused is self.abstract else "list")
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
        if (paper := self.paper_list.paper) is not None:
            self.toggle_star(paper)

    def action_toggle_read(self) -> None:
        if (paper := self.paper_list.paper) is not None:
            self.toggle_read(paper.id)

    def action_edit_note(self) -> None:
        if (paper := self.paper_list.paper) is not None:
            from paperterm.screens.notes import edit_note

            edit_note(self, self.store, paper, lambda paper_id: self.changed([paper_id]))

    def action_export(self) -> None:
        """The list as shown (filtered, sorted), to a file in the folder paperterm was
        started in."""
        papers = self.paper_list.papers
        if not papers:
            self.notify("Nothing to export: the list is empty.", markup=False)
            return
        from paperterm.export import FORMATS, SUFFIX
        from paperterm.widgets.dialogs import FeedPicker

        described = {
            "bibtex": "a bibliography (.bib)",
            "markdown": "a reading list with links and summaries (.md)",
            "json": "every field, for scripts (.json)",
            "csv": "one row a paper, for a spreadsheet (.csv)",
        }
        names = {"bibtex": "BibTeX", "markdown": "Markdown", "json": "JSON", "csv": "CSV"}
        entries = [(names[f], described[f]) for f in FORMATS]
        title = self.export_title()

        def chosen(index: int | None) -> None:
            if index is None:
                return
            fmt = FORMATS[index]
            stamp = self.wiring.clock().strftime("%Y%m%d-%H%M")
            slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:40]
            target = Path.cwd() / f"paperterm-{slug}-{stamp}{SUFFIX[fmt]}"
            self.run_worker(
                self._export(fmt, list(papers), title, target),
                name="export",
                exit_on_error=False,
            )

        self.app.push_screen(FeedPicker(entries, title=f"Export {len(papers)} papers as"), chosen)

    def export_title(self) -> str:
        """What the exported list is called (the Markdown title, the file's name)."""
        days = sorted({p.day for p in self.paper_list.papers})
        if not days:
            return "Papers"
        span = f"{days[0]:%Y-%m-%d}" + (f" to {days[-1]:%Y-%m-%d}" if len(days) > 1 else "")
        return f"Papers of {span}"

    async def _export(self, fmt: Format, papers: list[Paper], title: str, target: Path) -> None:
        from paperterm.export import export_chunks
        from paperterm.fsutil import atomic_write_chunks, describe_os_error

        def write() -> None:
            # Made and written in a thread, a piece at a time: a hundred thousand papers
            # neither stall the keys nor are held whole as text.
            whole = self.wiring.library.whole_papers(papers)
            chunks = export_chunks(fmt, whole, self.store, title)
            atomic_write_chunks(target, (chunk.encode() for chunk in chunks))

        try:
            await asyncio.to_thread(write)
        except OSError as error:
            self.notify(
                f"Export failed: {describe_os_error(error)}", severity="error", markup=False
            )
            return
        self.notify(f"Wrote {len(papers)} papers to {target}", markup=False, timeout=8)

    def action_mark_day_read(self) -> None:
        plist = self.paper_list
        paper = plist.paper
        if paper is None:
            return
        day_papers = [r.paper for r in plist.rows if r.paper is not None and r.day == paper.day]
        changes = self.session.mark_all_read(day_papers, "mark day read")
        if changes:
            self.changed(changes)
            if self.session.hide_read:
                self.rebuild()
        self.notify(
            f"Marked {plural(len(changes), 'paper')} of {paper.day:%a %d %b} read (u undoes).",
            markup=False,
        )

    def action_undo(self) -> None:
        step = self.session.undo()
        if step is None:
            self.notify("Nothing to undo.", markup=False)
            return
        self.changed(step.paper_ids)
        if self.session.hide_read:
            self.rebuild()
        self.notify(f"Undid {step.label}.", markup=False)

    def action_hide_read(self) -> None:
        self.session.toggle_hide_read()
        self.rebuild()
        self._save_prefs(self.session.prefs)

    def action_cycle_sort(self) -> None:
        self.next_sort()
        self.rebuild()
        self._save_prefs(self.session.prefs)
        label = SORTS[self.sort][0]
        self.notify(f"Sorted by {label} within each day.", markup=False, timeout=2)

    # ------------------------------------------------------------ actions: links

    def action_open_link(self, kind: str) -> None:
        if (paper := self.paper_list.paper) is not None:
            self.links.open_kind(paper, kind)

    def action_links(self) -> None:
        if (paper := self.paper_list.paper) is not None:
            self.links.pick(paper, lambda: self._linked_repos(paper))

    async def _linked_repos(self, paper: Paper) -> list[tuple[str, str]]:
        """The paper's models, datasets and Spaces on the site, as picker links."""
        from paperterm.widgets.paper_page import repo_links

        result = await self.wiring.library.details.load(paper.id, offline=self.wiring.offline)
        return repo_links(result.detail) if result.detail is not None else []

    def action_copy_link(self) -> None:
        self.links.copy(self.paper_list.paper)

    # ------------------------------------------------------------ actions: filter

    def action_focus_list(self) -> None:
        self.paper_list.focus()

    def action_focus_filter(self) -> None:
        self.filter_input.focus()
        self._build_index(whole=False)

    def _build_index(self, *, whole: bool) -> None:
        self._index_worker = self.run_worker(
            partial(self.listing.prepare, list(self.groups()), self.sort, whole=whole),
            name="search index",
            thread=True,
            group="search index",
            exclusive=True,
            exit_on_error=False,
        )
        self._index_whole = whole

    def action_clear_filter(self) -> None:
        if self.single_pane and self.focused is self.abstract:
            self.show_pane("list")  # Esc in the paper goes back to the list
            return
        field = self.filter_input
        had_filter = bool(field.value) or self.query_obj is not None
        # The paper the filter found stays under the cursor: that is what the user was after.
        found = self.paper_list.paper
        keep = found.id if found is not None and had_filter else self._pre_filter_id
        # Cleared first, so the field's own edit handler finds nothing left to do.
        self.query_obj = None
        field.value = ""
        self.status.filter_error = ""
        field.remove_class("-invalid")
        self.paper_list.focus()
        if had_filter:
            self.rebuild(keep_id=keep)
        self._pre_filter_id = None

    def _on_filter_edit(self, text: str) -> None:
        """Narrow the list as the filter is typed (FilterInput calls this on each edit)."""
        gcpolicy.IDLE.note_input()
        try:
            query = parse_query(text)
        except QueryError as error:
            # Keep the last good result; say what is wrong in place.
            self.status.filter_error = str(error)
            self.filter_input.add_class("-invalid")
            self.update_status()
            return
        self.status.filter_error = ""
        self.filter_input.remove_class("-invalid")
        wanted = None if query.is_empty else query
        if wanted is None and self.query_obj is None:
            # Nothing to filter by, before or after (spaces typed, or cleared by Esc).
            self.update_status()
            return
        if self._pre_filter_id is None and self.query_obj is None and self.paper_list.paper:
            self._pre_filter_id = self.paper_list.paper.id
        self.query_obj = wanted
        if wanted is not None and self._index_pending(whole=wanted.needs_texts):
            # The index is still being built (seconds, for years of papers): the keys stay
            # live, and the list narrows to what was typed once it is there.
            self.status.indexing = plural(sum(len(p) for _, p in self.groups()), "paper")
            self.update_status()
            return
        self.rebuild()
        self.follow_cursor()

    def _index_pending(self, *, whole: bool) -> bool:
        """Whether the index for a query (of the papers whole, if `whole`) is still being
        built. A query that reads abstracts or keywords themselves (`abstract:`, `kw:`,
        `gpt-4`) over an index of stored texts has one of the papers whole built for it,
        in a worker as the first."""
        worker = self._index_worker
        running = worker is not None and not worker.is_finished
        if whole and not self.listing.holds_whole and not (running and self._index_whole):
            self._build_index(whole=True)
            return True
        # Only while a build runs are the days compared with the index's (a millisecond
        # of each keystroke at 98.8k papers): else a keystroke that finds it stale builds.
        return running and not self.listing.has_index(self.groups(), whole=whole)

    def _index_done(self) -> None:
        """The filter's index is built (or failed, and a keystroke builds it): show what
        was typed meanwhile."""
        self._index_worker = None
        if not self.status.indexing:
            return
        self.status.indexing = ""
        if self.query_obj is not None:
            self.rebuild()
            self.follow_cursor()
        else:
            self.update_status()

    # ------------------------------------------------------------ actions: feeds

    def action_search(self) -> None:
        from paperterm.lists import ListSpec
        from paperterm.screens.navigation import OpenFeed

        def chosen(query: str | None) -> None:
            if query:
                self.session.remember_search(query)
                self._save_prefs(self.session.prefs)
                self.post_message(OpenFeed(ListSpec("search", query)))

        from paperterm.widgets.dialogs import SearchPrompt

        self.app.push_screen(SearchPrompt(self.session.searches), chosen)

    def action_feeds(self) -> None:
        from paperterm.screens.navigation import OpenFeed, feed_menu

        today = self.wiring.clock().date()
        store = self.wiring.topics
        topics = [(t.name, store.counts.get(t.name)) for t in store.topics] if store.loaded else []
        entries = feed_menu(today, self.session.searches, len(self.store.starred_ids), topics)

        def chosen(index: int | None) -> None:
            if index is not None:
                self.post_message(OpenFeed(entries[index][2]))

        from paperterm.widgets.dialogs import FeedPicker

        self.app.push_screen(FeedPicker([(name, what) for name, what, _ in entries]), chosen)

    @on(FilterInput.Submitted, "#filter")
    def _on_filter_submitted(self) -> None:
        self.paper_list.focus()
