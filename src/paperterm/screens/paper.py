"""The paper page: what the site's page for one paper shows, in the terminal.

Everything the paper pane shows, and from `GET /api/papers/{id}` the organisation and
submitter, the code with its stars and who added it, the project page, and the linked
models, datasets and Spaces (Enter lists them to open on the site). The answer is read
from the cache at once (offline too), then asked again if it is stale. A starred paper's
changes since it was last looked at are said at the top, and are then looked at.

The page is pushed over the list it was opened from; Esc pops it, and the list is where it
was. Stars and read marks go through that list's screen (`origin`), so they are saved,
painted and undone as they are there.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import ClassVar

import msgspec.structs
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker

from paperterm import keys
from paperterm.detail import DetailResult
from paperterm.library import describe_age
from paperterm.model import Paper
from paperterm.screens.failures import report_worker_failure
from paperterm.screens.links import LinkActions
from paperterm.screens.papers import PapersScreen, StateChanged, bindings_for
from paperterm.watch import summary_text
from paperterm.widgets.abstract import AbstractPane, paper_content
from paperterm.widgets.keybar import KeyBar
from paperterm.widgets.paper_page import linked_section, repo_links
from paperterm.widgets.thumbnail import Thumbnail

THUMBNAIL_MIN_WIDTH = 100
"""Narrower, the page's text keeps the whole width."""


class PaperScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = bindings_for("page")
    SCOPES: ClassVar[tuple[keys.Scope, ...]] = ("page",)

    def __init__(self, origin: PapersScreen, paper: Paper) -> None:
        super().__init__()
        self.origin = origin
        self.wiring = origin.wiring
        self.paper = paper
        self.result: DetailResult | None = None
        self.changes = ""
        """What changed on the site since the page was last looked at (a starred paper)."""
        self.fetching = True
        self.pane = AbstractPane(id="page")
        self.status_line = Static(Content(""), id="page-status", markup=False)
        self.links = LinkActions(
            self,
            lambda: self.wiring.opener,
            on_opened=lambda paper_id: origin.mark_read(paper_id),
            on_note=lambda note: self.set_status(note),
        )
        self._note = ""
        wide = origin.app.size.width >= THUMBNAIL_MIN_WIDTH
        self.wants_thumbnail = self.wiring.image_protocol != "off" and wide

    def compose(self) -> ComposeResult:
        with Horizontal(id="page-body"):
            yield self.pane
            if self.wants_thumbnail:
                yield Thumbnail(self.wiring.image_protocol, id="thumb")
        yield self.status_line
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.pane.focus()
        self.start()

    def start(self) -> None:
        """Show this page's paper, and ask for its detail and thumbnail."""
        self.repaint(scroll=False)
        self.ask(force=False)
        if self.wants_thumbnail:
            self.run_worker(
                self.load_thumbnail(),
                name="thumbnail",
                group="thumb",
                exclusive=True,
                exit_on_error=False,
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_worker_failure(self, event)

    def action_next_unread(self) -> None:
        """The next unread paper of the list, on this page (the list's cursor goes too)."""
        plist = self.origin.paper_list
        before = plist.paper
        self.origin.action_next_unread()
        after = plist.paper
        if after is None or after is before:
            return
        self.paper = self.origin.session.book.newest(after)
        self.result = None
        self.changes = ""
        self.fetching = True
        self.origin.mark_read(after.id)
        self.run_worker(self._next_page(), name="next page", exit_on_error=False)

    async def _next_page(self) -> None:
        for old in self.query(Thumbnail):
            await old.remove()
        if self.wants_thumbnail:
            await self.query_one("#page-body").mount(
                Thumbnail(self.wiring.image_protocol, id="thumb")
            )
        self.start()

    async def load_thumbnail(self) -> None:
        """Never required: no image, or one that is not, and the page is as it was."""
        thumb = self.query_one(Thumbnail)
        paper_id = self.paper.id
        body = await self.wiring.library.thumbnails.load(paper_id, offline=self.wiring.offline)
        from paperterm.thumbnails import decode

        image = await asyncio.to_thread(decode, body) if body is not None else None
        if paper_id != self.paper.id or not thumb.is_attached:
            return  # the page moved on to another paper
        if image is None:
            await thumb.remove()  # the page's text takes the width
        else:
            await thumb.draw(image)

    # ------------------------------------------------------------ the page

    @property
    def shown_paper(self) -> Paper:
        """The newest copy: the site's answer for it when there is one (kept on the feed
        day of the list it was opened from)."""
        detail = self.result.detail if self.result is not None else None
        if detail is None:
            return self.paper
        comments = max(self.paper.comments, detail.paper.comments)  # the answer has none
        return msgspec.structs.replace(detail.paper, day=self.paper.day, comments=comments)

    def repaint(self, *, scroll: bool = True) -> None:
        paper = self.shown_paper
        store = self.origin.store
        detail = self.result.detail if self.result is not None else None
        content = paper_content(
            paper,
            starred=store.is_starred(paper.id),
            read=store.is_read(paper.id),
            pending=store.is_pending(paper.id),
            new=self.origin.flags.is_new(paper),
            movement=self.origin.seen.movement(paper),
            changes=self.changes,
            note=store.note(paper.id),
            code_added_by=detail.code_added_by if detail else "",
            sections=(linked_section(detail),) if detail is not None else (),
        )
        if scroll:
            self.pane.update_in_place(content)
        else:
            self.pane.show(content)
        self.set_status(self._note)

    def set_status(self, note: str) -> None:
        self._note = note
        parts = [f" {self.page_source()}"]
        if note:
            parts.append(f"  {note}")
        self.status_line.update(Content("".join(parts)).stylize("$text-muted"))

    def page_source(self) -> str:
        result = self.result
        if self.fetching and (result is None or result.detail is None):
            return "⟳ asking the site for the paper's page…"
        if result is None:
            return ""
        if result.detail is None:
            why = {
                "not_found": "not on Hugging Face Papers",
                "missing": "offline, and not cached",
            }.get(result.status, f"the site failed ({result.message})")
            return f"{why}: what the list had is shown"
        age = describe_age(self.wiring.clock() - result.fetched_at) if result.fetched_at else ""
        said = f"{'cached' if result.from_cache else 'from the site'} {age}".rstrip()
        if result.message:
            said += f" · the site failed ({result.message})"
        if self.fetching:
            said += " · ⟳ asking again"
        return f"Paper page · {said}"

    async def load(self, force: bool) -> None:
        """The cached answer at once, then the site's when the cache is stale."""
        details = self.wiring.library.details
        paper_id = self.paper.id
        self.fetching = True
        if not force:
            cached = await asyncio.to_thread(details.cached, paper_id)
            if cached is not None and paper_id == self.paper.id:
                self.result = cached
                self.repaint()
        result = await details.load(paper_id, offline=self.wiring.offline, force=force)
        if paper_id != self.paper.id:
            return  # the page moved on to another paper
        self.fetching = False
        if result.detail is not None or self.result is None or self.result.detail is None:
            self.result = result
        elif result.message:  # the site failed; keep the cached page with the reason
            self.result = replace(self.result, message=result.message)
        if result.detail is not None and result.fetched_at is not None:
            self.origin.session.book.merge((result.detail.paper,), result.fetched_at)
            await self._told_changes(result)
        self.repaint()

    async def _told_changes(self, result: DetailResult) -> None:
        """A starred paper: what changed since it was last looked at is said on the page,
        and is from now on looked at."""
        watch = self.wiring.watch
        if not self.origin.store.is_starred(result.paper_id) or result.detail is None:
            return
        now = self.wiring.clock()

        def record() -> str:
            if not watch.loaded:
                watch.load()
            assert result.detail is not None
            told = watch.page_read(result.detail, result.fetched_at, now)
            watch.save()
            return summary_text(told)

        # The list's Δ for it goes when the list is shown again (it repaints on resume).
        self.changes = await asyncio.to_thread(record)

    @on(StateChanged)
    def _state_changed(self) -> None:
        self.repaint()

    # ------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.dismiss()

    def action_move(self, delta: int) -> None:
        self.pane.scroll_relative(y=delta, animate=False)

    def action_first(self) -> None:
        self.pane.scroll_home(animate=False)

    def action_last(self) -> None:
        self.pane.scroll_end(animate=False)

    def action_page(self, direction: int) -> None:
        if direction > 0:
            self.pane.scroll_page_down(animate=False)
        else:
            self.pane.scroll_page_up(animate=False)

    def action_scroll_abstract(self) -> None:
        self.pane.scroll_page_down(animate=False)

    def action_star(self) -> None:
        self.origin.toggle_star(self.shown_paper)
        self.repaint()

    def action_toggle_read(self) -> None:
        self.origin.toggle_read(self.paper.id)
        self.repaint()

    def action_edit_note(self) -> None:
        from paperterm.screens.notes import edit_note

        edit_note(self, self.origin.store, self.shown_paper, lambda i: self.origin.changed([i]))

    def ask(self, *, force: bool) -> None:
        """Load the detail (one load at a time: a newer one replaces it)."""
        self.run_worker(
            self.load(force),
            name="paper detail",
            group="detail",
            exclusive=True,
            exit_on_error=False,
        )

    def action_refresh(self) -> None:
        self.ask(force=True)
        self.repaint()

    def action_open_link(self, kind: str) -> None:
        self.links.open_kind(self.shown_paper, kind)

    def action_links(self) -> None:
        detail = self.result.detail if self.result is not None else None
        self.links.pick(self.shown_paper, repo_links(detail) if detail is not None else [])

    def action_copy_link(self) -> None:
        self.links.copy(self.shown_paper)
