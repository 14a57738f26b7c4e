"""The highlighted paper in full: title, people, numbers, links, AI summary and abstract.

Everything is assembled as `Content` from already-cleaned strings, so `[CLS]` stays text and
nothing in the data can act. Links are shown as plain text; they open only through the
app's link actions, which check them.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Hashable

from rich._wrap import divide_line  # the wrap Textual's Content uses (Textual is pinned)
from rich.style import Style as RichStyle
from textual.content import Content
from textual.geometry import Offset, Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.visual import Visual

from paperterm.model import Paper
from paperterm.text import plural
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
    changes: str = "",
    note: str = "",
    code_added_by: str = "",
    sections: tuple[Content, ...] = (),
) -> Content:
    """The pane's text for one paper, plain Content throughout. The paper page adds what
    changed since it was last looked at, who added the code, and its `sections` (linked
    models, datasets and Spaces) before the abstract."""
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
    if changes:
        lines.append(field_line("Changed", Content(changes).stylize("bold $text-warning")))
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
        lines.append(field_line("Authors", authors))
    elif count:
        lines.append(field_line("Authors", Content(plural(count, "author"))))
    if paper.organization:
        lines.append(field_line("Org", Content(paper.organization)))
    stats = f"▲ {plural(paper.upvotes, 'upvote')}"
    if movement:
        stats += f" (+{movement} since you last looked)"
    stats += f"  ·  ✎ {plural(paper.comments, 'comment')}"
    lines.append(field_line("Votes", Content(stats)))
    if paper.published:
        lines.append(
            field_line("arXiv", Content(f"{paper.id}  ·  published {paper.published:%a %d %b %Y}"))
        )
    else:
        lines.append(field_line("arXiv", Content(paper.id)))
    lines.append(field_line("Feed day", Content(f"{paper.day:%a %d %b %Y}")))
    if paper.submitter:
        lines.append(field_line("Submitter", Content(paper.submitter)))
    if paper.github:
        # No space inside: the star and its count never wrap apart.
        stars = f"  ★{paper.github_stars:,}" if paper.github_stars is not None else ""
        added = f"  ·  added by {code_added_by}" if code_added_by else ""
        lines.append(
            field_line("Code", Content.assemble((paper.github, "$text-success"), stars, added))
        )
    if paper.project_page:
        lines.append(field_line("Project", Content(paper.project_page)))
    if note:
        lines.append(Content(""))
        if pending:
            # Its text is shown once it is on disk, as a star is: what is painted is saved.
            lines.append(Content("Your note  ◌ saving…").stylize("bold $text-warning"))
        else:
            lines.append(Content("Your note").stylize("bold $text-warning"))
            lines.append(Content(note))
    if paper.ai_summary:
        lines.append(Content(""))
        lines.append(Content("AI summary").stylize("bold $text-secondary"))
        lines.append(Content(paper.ai_summary).stylize("italic"))
    if paper.ai_keywords:
        lines.append(field_line("Keywords", Content(", ".join(paper.ai_keywords))))
    for section in sections:
        lines.append(Content(""))
        lines.append(section)
    lines.append(Content(""))
    lines.append(Content("Abstract").stylize("bold $text-secondary"))
    if paper.brief:  # the list's form of an older day: its texts are being read
        missing = "(Reading the abstract from the cache…)"
    else:
        missing = "(The feed gave no abstract for this paper.)"
    abstract = Content(paper.abstract or missing)
    if highlight is not None:
        abstract = abstract.highlight_regex(highlight, style="reverse")
    lines.append(abstract)
    return Content("\n").join(lines)


LABEL_WIDTH = 10
FIELD_LABELS = frozenset(
    {
        "Authors",
        "Org",
        "Votes",
        "arXiv",
        "Feed day",
        "Submitter",
        "Code",
        "Project",
        "Keywords",
        "Changed",
    }
)
URL_BREAKS = "/?&=#-_."
"""Where a long URL (or another word too long for its line) is best broken: after these."""


def field_line(name: str, value: Content) -> Content:
    return Content.assemble((f"{name:<{LABEL_WIDTH}}", "$text-muted"), value)


def _is_field_line(plain: str) -> bool:
    return len(plain) > LABEL_WIDTH and plain[:LABEL_WIDTH].rstrip() in FIELD_LABELS


def break_offsets(text: str, width: int) -> list[int]:
    """Where each line after the first starts when `text` is wrapped to `width` cells: at
    spaces, and a word too long for a line breaks after a URL part (/ ? & = # - _ .)
    where it has one, so `https://github.com/org/` and `repo` stay readable."""
    offsets: list[int] = []
    start = 0
    while True:
        rest = text[start:]
        cuts = divide_line(rest, width, fold=True)
        if not cuts:
            return offsets
        cut = cuts[0]
        if rest[cut - 1] != " " and rest[cut : cut + 1] not in (" ", ""):
            word_start = rest.rfind(" ", 0, cut) + 1
            part = max(rest.rfind(ch, word_start, cut - 1) for ch in URL_BREAKS)
            if part >= word_start and part + 1 - word_start >= 4:
                cut = part + 1
        start += cut
        offsets.append(start)


LineMap = list[tuple[int, int, int]]
"""Per laid-out line: the original line, the original column its first cell stands
for, and how many cells of indent it starts with."""


def hang(content: Content, width: int) -> tuple[Content, LineMap]:
    """`content` with its field lines ("Authors   A, B, …") wrapped to `width` by hand, each
    continuation indented under the value (a hanging indent); other lines as they are,
    for the pane's own wrap. The map leads positions back to the original text."""
    lines = content.split("\n", allow_blank=True)
    identity: LineMap = [(y, 0, 0) for y in range(len(lines))]
    if width <= LABEL_WIDTH + 20:
        return content, identity
    out: list[Content] = []
    where: LineMap = []
    for y, line in enumerate(lines):
        if line.cell_length <= width or not _is_field_line(line.plain):
            out.append(line)
            where.append((y, 0, 0))
            continue
        label, value = line[:LABEL_WIDTH], line[LABEL_WIDTH:]
        offsets = break_offsets(value.plain, width - LABEL_WIDTH)
        pieces = [piece.rstrip() for piece in value.divide(offsets)]
        indent = Content(" " * LABEL_WIDTH)
        out.append(Content.assemble(label, pieces[0]))
        where.append((y, 0, 0))
        for start, piece in zip(offsets, pieces[1:], strict=True):
            out.append(Content.assemble(indent, piece))
            where.append((y, LABEL_WIDTH + start, LABEL_WIDTH))
    if len(out) == len(lines):
        return content, identity
    return Content("\n").join(out), where


def unhang(selection: Selection, where: LineMap) -> Selection:
    """A selection made on the laid-out text, as positions in the original text."""

    def back(offset: Offset | None) -> Offset | None:
        if offset is None or not 0 <= offset.y < len(where):
            return offset
        y, start, indent = where[offset.y]
        return Offset(start + max(offset.x - indent, 0), y)

    return Selection(back(selection.start), back(selection.end))


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
        self._line_map: LineMap = []
        self._key: Hashable | None = None
        self._strips: list[Strip] = []
        self._wrapped_width = -1
        self._wrapped: OrderedDict[tuple[Hashable, int], tuple[list[Strip], LineMap]] = (
            OrderedDict()
        )
        self._base: RichStyle | None = None

    def show(self, content: Content | None, key: Hashable | None = None) -> None:
        """Show `content` from its top. `key` names it (the same key, the same text), so
        its wrapped lines can be kept and shown again without wrapping it anew."""
        self.content = content if content is not None else Content("No paper selected.")
        self._key = key if content is not None else None
        self._rewrap()
        self.scroll_to(y=0, animate=False, immediate=True)

    def update_in_place(self, content: Content, key: Hashable | None = None) -> None:
        """New content for the same paper (a star, a read mark): keep the scroll position,
        and repaint only the lines that changed (a star changes one: painting the whole
        pane twice per star, saving and saved, was most of the key's cost)."""
        before, before_width = self._strips, self._wrapped_width
        old = self.content
        self.content = content
        self._key = key
        if before_width != self.text_width or not self._splice(old, content, before_width):
            self._rewrap(before if before_width == self.text_width else None)

    def _splice(self, old: Content, new: Content, width: int) -> bool:
        """Re-wrap only the lines down to the last that changed, keeping the rest's strips
        (a star changes the flags under the title: wrapping the abstract again for it was
        most of a star's cost). False when that cannot be done exactly (the line count, or
        the laid-out or wrapped count of the changed part, differs): then the caller wraps
        it all."""
        if self._key is not None and (self._key, width) in self._wrapped:
            return False  # wrapped before: the cache has it whole
        old_lines = old.split("\n", allow_blank=True)
        new_lines = new.split("\n", allow_blank=True)
        if len(old_lines) != len(new_lines) or not self._strips:
            return False
        changed = [
            y
            for y, (a, b) in enumerate(zip(old_lines, new_lines, strict=True))
            if a.plain != b.plain or a.spans != b.spans
        ]
        if not changed:
            return True
        end = changed[-1] + 1
        if end == len(new_lines):
            return False  # the last line changed: nothing below it to keep
        old_head, old_map = self._wrap(Content("\n").join(old_lines[:end]), width)
        new_head, new_map = self._wrap(Content("\n").join(new_lines[:end]), width)
        # The kept strips carry their laid-out line numbers (for selection): the changed
        # part must lay out and wrap to as many lines as before (a flags line that grows,
        # "saving…" in a narrow pane, wraps to one more), and the kept part must be as
        # wrapped.
        if len(old_map) != len(new_map) or len(old_head) != len(new_head):
            return False
        if self._strips[: len(old_head)] != old_head:
            return False
        strips = new_head + self._strips[len(old_head) :]
        for y, (was, now) in enumerate(zip(old_head, new_head, strict=True)):
            if was != now:
                self.refresh_line(y)
        line_map = new_map + self._line_map[len(old_map) :]
        self._strips, self._line_map = strips, line_map
        if self._key is not None:
            self._wrapped[(self._key, width)] = (strips, line_map)
            if len(self._wrapped) > WRAPPED_KEPT:
                self._wrapped.popitem(last=False)
        return True

    def _wrap(self, content: Content, width: int) -> tuple[list[Strip], LineMap]:
        laid_out, line_map = hang(content, width)
        base = self._base_style()
        strips = [
            strip.adjust_cell_length(width, base)
            for strip in Visual.to_strips(self, laid_out, width, None, self.visual_style)
        ]
        return strips, line_map

    @property
    def plain(self) -> str:
        return self.content.plain

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The text under a mouse selection, for copying. The painted lines carry their
        offsets in the text as laid out (field lines hung by hand, the rest unwrapped),
        which is what the selection is measured in: copied, it is the original text."""
        return unhang(selection, self._line_map).extract(self.content.plain), "\n"

    @property
    def text_width(self) -> int:
        """Columns the text wraps to: the content region less the position bar."""
        return self.scrollable_content_region.width - BAR_WIDTH

    def _rewrap(self, before: list[Strip] | None = None) -> None:
        width = self.text_width
        if width <= 0:
            self._wrapped_width = -1
            self.refresh()
            return
        cache_key = (self._key, width)
        kept = self._wrapped.get(cache_key) if self._key is not None else None
        if kept is None:
            # Laid out (field lines hung) and wrapped once per paper and width: going back
            # up the list re-shows a paper at no cost.
            strips, line_map = self._wrap(self.content, width)
            kept = (strips, line_map)
            if self._key is not None:
                self._wrapped[cache_key] = kept
                if len(self._wrapped) > WRAPPED_KEPT:
                    self._wrapped.popitem(last=False)
        else:
            self._wrapped.move_to_end(cache_key)
        strips, self._line_map = kept
        self._strips = strips
        self._wrapped_width = width
        if before is not None and len(before) == len(strips):
            for y, (old, new) in enumerate(zip(before, strips, strict=True)):
                if old != new:
                    self.refresh_line(y)
            return
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
