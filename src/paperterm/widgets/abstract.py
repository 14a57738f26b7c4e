"""The highlighted paper in full: title, people, numbers, links, AI summary and abstract.

Everything is assembled as `Content` from already-cleaned strings, so `[CLS]` stays text and
nothing in the data can act. Links are shown as plain text; they open only through the
app's link actions, which check them.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Hashable

from rich.style import Style as RichStyle
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.visual import Visual

from paperterm.model import Paper
from paperterm.widgets._lines import BAR_WIDTH, OncePerPaint, PositionBar, set_virtual_size

AUTHORS_SHOWN = 12
WRAPPED_KEPT = 64
"""Papers whose wrapped lines are kept: going back up the list re-shows them at no cost."""


def paper_content(
    paper: Paper,
    *,
    starred: bool,
    read: bool,
    pending: bool = False,
    new: bool = False,
    movement: int | None = None,
    highlight: re.Pattern[str] | None = None,
) -> Content:
    """The pane's text for one paper, plain Content throughout."""
    label = "$text-muted"
    lines: list[Content] = []
    title = Content(paper.title).stylize("bold")
    if highlight is not None:
        title = title.highlight_regex(highlight, style="reverse")
    lines.append(title)
    flags = []
    if pending:
        # Not yet on disk: shown as done only once it is saved.
        flags.append(("◌ saving…", "$text-muted"))
    elif starred:
        flags.append(("★ starred", "$text-warning"))
    flags.append(("read" if read else "● unread", "$text-muted" if read else "$text-accent"))
    if new:
        flags.append(("✦ new since last visit", "$text-error"))
    if paper.withdrawn:
        flags.append(("withdrawn", "$text-error"))
    lines.append(Content.assemble(*_join(flags, "  ·  ")))
    lines.append(Content(""))

    count = max(paper.author_count, len(paper.authors))
    if paper.authors:
        names = ", ".join(paper.authors[:AUTHORS_SHOWN])
        more = count - min(len(paper.authors), AUTHORS_SHOWN)
        authors = Content(names)
        if highlight is not None:
            authors = authors.highlight_regex(highlight, style="reverse")
        if more > 0:
            authors = Content.assemble(authors, (f" and {more} more", label))
        lines.append(_field("Authors", authors))
    elif count:
        lines.append(_field("Authors", Content(f"{count} authors")))
    if paper.organization:
        lines.append(_field("Org", Content(paper.organization)))
    stats = f"▲ {paper.upvotes} upvotes"
    if movement:
        stats += f" (+{movement} since you last looked)"
    stats += f"  ·  ✎ {paper.comments} comments"
    lines.append(_field("Votes", Content(stats)))
    if paper.published:
        lines.append(
            _field("arXiv", Content(f"{paper.id}  ·  published {paper.published:%a %d %b %Y}"))
        )
    else:
        lines.append(_field("arXiv", Content(paper.id)))
    lines.append(_field("Feed day", Content(f"{paper.day:%a %d %b %Y}")))
    if paper.submitter:
        lines.append(_field("Submitter", Content(paper.submitter)))
    if paper.github:
        stars = f"  ★ {paper.github_stars:,}" if paper.github_stars is not None else ""
        lines.append(_field("Code", Content.assemble((paper.github, "$text-success"), stars)))
    if paper.project_page:
        lines.append(_field("Project", Content(paper.project_page)))
    if paper.ai_summary:
        lines.append(Content(""))
        lines.append(Content("AI summary").stylize("bold $text-secondary"))
        lines.append(Content(paper.ai_summary).stylize("italic"))
    if paper.ai_keywords:
        lines.append(_field("Keywords", Content(", ".join(paper.ai_keywords))))
    lines.append(Content(""))
    lines.append(Content("Abstract").stylize("bold $text-secondary"))
    abstract = Content(paper.abstract or "(The feed gave no abstract for this paper.)")
    if highlight is not None:
        abstract = abstract.highlight_regex(highlight, style="reverse")
    lines.append(abstract)
    return Content("\n").join(lines)


def _field(name: str, value: Content) -> Content:
    return Content.assemble((f"{name:<10}", "$text-muted"), value)


def _join(parts: list[tuple[str, str]], sep: str) -> list[tuple[str, str] | str]:
    out: list[tuple[str, str] | str] = []
    for i, part in enumerate(parts):
        if i:
            out.append(sep)
        out.append(part)
    return out


_PanePaint = tuple[int, int, list[Strip]]
"""Scroll offset, text width, the position bar's cells."""


class AbstractPane(OncePerPaint[_PanePaint], PositionBar, ScrollView, can_focus=True):
    """Scrollable details of the highlighted paper.

    A line-API widget: showing another paper re-wraps its text and repaints this pane
    only, with no layout pass over the screen (a Static in a scroll container cost a full
    reflow and repaint on every cursor move).

    It paints its own position bar (`PositionBar`): a new paper changes the thumb on
    nearly every cursor move, which repainted Textual's scrollbar every time.
    """

    DEFAULT_CSS = """
    AbstractPane {
        padding: 0 1;
        overflow-y: scroll;
        overflow-x: hidden;
        scrollbar-size-vertical: 0;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # The pane holds no links (they open through the app's checked actions), so
        # Textual's per-line link styling is work with nothing to find.
        self.auto_links = False
        self.content: Content = Content("Nothing to show yet.")
        self._key: Hashable | None = None
        self._strips: list[Strip] = []
        self._wrapped_width = -1
        self._wrapped: OrderedDict[tuple[Hashable, int], list[Strip]] = OrderedDict()
        self._base: RichStyle | None = None

    def show(self, content: Content | None, key: Hashable | None = None) -> None:
        """Show `content` from its top. `key` names it (the same key, the same text), so
        its wrapped lines can be kept and shown again without wrapping it anew."""
        self.content = content if content is not None else Content("No paper selected.")
        self._key = key if content is not None else None
        self._rewrap()
        self.scroll_to(y=0, animate=False, immediate=True)

    def update_in_place(self, content: Content, key: Hashable | None = None) -> None:
        """New content for the same paper (a star, a read mark): keep the scroll position."""
        self.content = content
        self._key = key
        self._rewrap()

    @property
    def plain(self) -> str:
        return self.content.plain

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The text under a mouse selection, for copying. The painted lines carry their
        offsets in the unwrapped text, which is what the selection is measured in."""
        return selection.extract(self.content.plain), "\n"

    @property
    def text_width(self) -> int:
        """Columns the text wraps to: the content region less the position bar."""
        return self.scrollable_content_region.width - BAR_WIDTH

    def _rewrap(self) -> None:
        width = self.text_width
        if width <= 0:
            self._wrapped_width = -1
            self.refresh()
            return
        cache_key = (self._key, width)
        strips = self._wrapped.get(cache_key) if self._key is not None else None
        if strips is None:
            base = self._base_style()
            strips = [
                strip.adjust_cell_length(width, base)
                for strip in Visual.to_strips(self, self.content, width, None, self.visual_style)
            ]
            if self._key is not None:
                self._wrapped[cache_key] = strips
                if len(self._wrapped) > WRAPPED_KEPT:
                    self._wrapped.popitem(last=False)
        else:
            self._wrapped.move_to_end(cache_key)
        self._strips = strips
        self._wrapped_width = width
        set_virtual_size(self, Size(width, len(self._strips)))
        self.refresh()

    def on_resize(self) -> None:
        self._rewrap()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._wrapped_width = -1
        self._wrapped.clear()
        self._base = None
        self._bar_key = None

    def paint_state(self) -> _PanePaint:
        region = self.scrollable_content_region
        width = region.width - BAR_WIDTH
        if width <= 0:
            return 0, region.width, []
        if width != self._wrapped_width:
            self._rewrap()
        top = self.scroll_offset.y
        return top, width, self.bar_cells(region.height, len(self._strips), top, self._base_style())

    def render_line(self, y: int) -> Strip:
        top, width, bar = self.painting()
        index = y + top
        if 0 <= index < len(self._strips):
            text = self._strips[index]
        else:
            text = Strip.blank(width, self._base_style())
        return Strip.join([text, bar[y]]) if 0 <= y < len(bar) else text

    def _base_style(self) -> RichStyle:
        if self._base is None:
            self._base = self.rich_style  # walks the CSS: once per style change, not per line
        return self._base
