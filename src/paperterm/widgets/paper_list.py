"""The list of papers, sectioned by day: a line-API widget that renders only what is visible.

One widget for the whole list (not one per row): 10,000 papers cost the same to scroll as
ten, and a filter keystroke only swaps the row list.

Over 400 lines because the line API's caches (content per row, strips per look) and the
cursor's moves must agree on every index; apart, one would go stale against the other.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from datetime import date
from itertools import chain, islice
from typing import ClassVar, Protocol

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style

from paperterm.listing import Row
from paperterm.model import Paper
from paperterm.query import PaperFlags
from paperterm.widgets._lines import OncePerPaint, set_virtual_size

SAVING = "◌"
"""Shown in the star column while a paper's star or read mark is not yet on disk: what
the list paints as done (★, the read look) has been saved."""


def compact(number: int) -> str:
    """A count in at most four cells: 94, 1234, 12k, 999k, 1.2M, 12M, 1.0B."""
    if number < 10_000:
        return str(number)
    for size, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if number >= size:
            value = number / size
            return f"{value:.1f}{unit}" if value < 10 else f"{min(value, 999):.0f}{unit}"
    return str(number)  # pragma: no cover


def sort_figure(paper: Paper, sort: str) -> str:
    """The figure a row shows in its number column: the one the list is sorted by, so the
    order can be seen (upvotes unless sorted by stars, comments or arXiv date)."""
    if sort == "stars":
        return compact(paper.github_stars) if paper.github_stars is not None else "·"
    if sort == "comments":
        return compact(paper.comments)
    if sort == "published":
        return f"{paper.published:%b%d}" if paper.published else "·"
    return compact(paper.upvotes)


def day_label(day: date) -> str:
    return f"{day:%a %d %b %Y}"


def month_label(day: date) -> str:
    return f"{day:%B %Y}"


class RowFlags(PaperFlags, Protocol):
    def is_pending(self, paper_id: str) -> bool: ...


_ListPaint = tuple[int, int, str]
"""Scroll offset, width, the cursor's look."""


class PaperList(OncePerPaint[_ListPaint], ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of papers under day headers, one line each; the cursor skips the headers.

    It takes no keys of its own (not even ScrollView's arrows, which would scroll the view
    instead of moving the cursor): the app's bindings drive it, so they can be remapped.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paper-list--header",
        "paper-list--cursor",
        "paper-list--cursor-blurred",
        "paper-list--unread",
        "paper-list--read",
        "paper-list--star",
        "paper-list--votes",
        "paper-list--code",
        "paper-list--new",
        "paper-list--delta",
        "paper-list--dim",
        "paper-list--match",
    }

    DEFAULT_CSS = """
    PaperList {
        background: $surface;
        overflow-y: scroll;
        overflow-x: hidden;
    }
    PaperList > .paper-list--header { background: $panel; color: $text-primary; text-style: bold; }
    PaperList > .paper-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    PaperList > .paper-list--cursor-blurred { background: $block-cursor-blurred-background; }
    PaperList > .paper-list--unread { color: $text-accent; }
    PaperList > .paper-list--read { color: $text-muted; }
    PaperList > .paper-list--star { color: $text-warning; }
    PaperList > .paper-list--votes { color: $text-secondary; }
    PaperList > .paper-list--code { color: $text-success; }
    PaperList > .paper-list--new { color: $text-error; text-style: bold; }
    PaperList > .paper-list--delta { color: $text-success; }
    PaperList > .paper-list--dim { color: $text-muted; }
    PaperList > .paper-list--match { text-style: bold underline; }
    """

    class Highlighted(Message):
        """The cursor moved to another paper (or to none)."""

        def __init__(self, paper: Paper | None) -> None:
            super().__init__()
            self.paper = paper

    class Activated(Message):
        """Enter or a double click on a paper."""

        def __init__(self, paper: Paper) -> None:
            super().__init__()
            self.paper = paper

    def __init__(self, flags: RowFlags, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.flags = flags
        self.rows: Sequence[Row] = []
        """A list, or the listing's `RowView` of the days' own rows."""
        self._ids: Sequence[str] | None = None
        """Each row's paper id ("" for a header)."""
        self.listed_twice: frozenset[str] = frozenset()
        """Papers with more than one row (listed on two days)."""
        self.cursor: int | None = None
        self.highlight: re.Pattern[str] | None = None
        self.group_label: Callable[[date], str] = day_label
        """What a section's header calls it: the day, or a month for search results."""
        self.sort = "upvotes"
        self.site_figure = "upvotes"
        """The figure shown in the site's own order: GitHub stars for trending."""
        """What the list is sorted by: each row's number column shows that figure."""
        self.movement: Callable[[Paper], int | None] = lambda paper: None
        """Upvotes gained since the user last saw the paper, or None."""
        self._placeholder: Content | None = None
        self._placeholder_lines: list[Strip] = []
        self._content_cache: dict[tuple[int, str], Content] = {}
        self._strip_cache: dict[tuple[int, str], Strip] = {}
        self._look_cache: dict[tuple[object, ...], Strip] = {}
        """Strips by what they show (`_look_key`), kept across new rows: while a filter is
        typed most rows in view are papers that were in view a keystroke ago, and painting
        a row anew is most of the keystroke's repaint."""
        self._rich_styles: dict[str, RichStyle] = {}
        self._delta_width = 0
        self._styles: dict[str, Style] | None = None

    # ------------------------------------------------------------ data

    @property
    def paper(self) -> Paper | None:
        if self.cursor is None or not 0 <= self.cursor < len(self.rows):
            return None
        return self.rows[self.cursor].paper

    @property
    def papers(self) -> list[Paper]:
        return [row.paper for row in self.rows if row.paper is not None]

    def set_rows(
        self,
        rows: Sequence[Row],
        keep_id: str | None = None,
        row_ids: Sequence[str] | None = None,
        listed_twice: frozenset[str] | None = None,
    ) -> None:
        """Replace the rows; the cursor stays on `keep_id` (or the paper it was on) if shown.
        `row_ids` are the rows' paper ids ("" for a header), when the caller has them."""
        before = self.paper
        current = keep_id or (before.id if before else None)
        self.rows = rows
        self._ids = row_ids
        if listed_twice is None:
            counts = Counter(self._row_ids())
            listed_twice = frozenset(i for i, n in counts.items() if n > 1 and i)
        self.listed_twice = listed_twice
        self._clear_caches()
        set_virtual_size(self, Size(self.scrollable_content_region.width, len(rows)))
        target = None
        if current:
            target = self._first_row_of(current)
        if target is None:
            target = self._next_paper(-1, 1)
        # A new Paper object for the same id (a refresh) is news too: its numbers changed.
        self._move_to(target, force_message=self.paper is not before)
        self.refresh()

    def set_movement(self, movement: Callable[[Paper], int | None], widest: int) -> None:
        """How to tell a paper's upvote gain, and the widest gain among the loaded papers:
        the column is there only when something moved."""
        self.movement = movement
        self._delta_width = len(f"▲+{min(widest, 999)}") + 1 if widest else 0
        self._clear_caches()

    def refresh_papers(self, paper_ids: Collection[str]) -> None:
        """Re-render the rows of papers whose read/star state changed, and their days'
        headers (the unread counts): only those rows, found through `_rows_of` and by
        walking up to the day's header (a walk over every row cost a star 30 ms at 100k
        papers)."""
        rows = self.rows
        touched: set[int] = set()
        for paper_id in paper_ids:
            for index in self._rows_of(paper_id):
                touched.add(index)
                header = index
                while header > 0 and rows[header].paper is not None:
                    header -= 1
                if rows[header].paper is None:
                    touched.add(header)
        for index in touched:
            row = rows[index]
            self._content_cache.pop((index, row.paper.id if row.paper else ""), None)
            for look in (
                "",
                "paper-list--header",
                "paper-list--cursor",
                "paper-list--cursor-blurred",
            ):
                self._strip_cache.pop((index, look), None)
            self.refresh_line(index)

    def _row_ids(self) -> Sequence[str]:
        if self._ids is None:
            self._ids = [row.paper.id if row.paper is not None else "" for row in self.rows]
        return self._ids

    def _first_row_of(self, paper_id: str) -> int | None:
        try:
            return self._row_ids().index(paper_id)  # a C-level scan, once per new rows
        except ValueError:
            return None

    def _rows_of(self, paper_id: str) -> list[int]:
        """Every row of a paper: the cursor's row when it is that paper (a star, a read
        mark), else found by a C-level search of the rows' ids; a paper listed on more
        than one day (`listed_twice`, from the listing) is looked for to the end."""
        if not paper_id:
            return []
        ids = self._row_ids()
        cursor = self.cursor
        twice = paper_id in self.listed_twice
        if not twice and cursor is not None and 0 <= cursor < len(ids) and ids[cursor] == paper_id:
            return [cursor]
        found: list[int] = []
        index = -1
        while True:
            try:
                index = ids.index(paper_id, index + 1)
            except ValueError:
                return found
            found.append(index)
            if not twice:
                return found

    def repaint_all(self) -> None:
        """Every row drawn anew: after another screen changed state, or the labels."""
        self._clear_caches()
        self._look_cache.clear()
        self.refresh()

    def select_id(self, paper_id: str, *, with_day: bool = False) -> bool:
        """Put the cursor on a paper. `with_day`: scroll so that its day's header is the
        top line (the papers above it in view too), where the screen is tall enough."""
        for index, row in enumerate(self.rows):
            if row.paper is not None and row.paper.id == paper_id:
                self._move_to(index)
                if with_day:
                    self._show_day_of(index)
                return True
        return False

    def _show_day_of(self, index: int) -> None:
        header = index
        while header > 0 and not self.rows[header].is_header:
            header -= 1
        height = self.scrollable_content_region.height or self.size.height
        if index - header < max(height, 1):
            self.scroll_to(y=header, animate=False, force=True, immediate=True)

    # ------------------------------------------------------------ movement

    def _next_paper(self, start: int, step: int) -> int | None:
        index = start + step
        while 0 <= index < len(self.rows):
            if self.rows[index].paper is not None:
                return index
            index += step
        return None

    def _move_to(self, index: int | None, force_message: bool = False) -> None:
        old = self.cursor
        self.cursor = index
        if old is not None and old < len(self.rows):
            self.refresh_line(old)
        if index is not None:
            self.refresh_line(index)
            self._scroll_to_cursor()
        if old != index or force_message:
            self.post_message(self.Highlighted(self.paper))

    def _scroll_to_cursor(self) -> None:
        if self.cursor is None:
            return
        top = self.cursor
        # Keep the day's header in view when on a day's first paper.
        if top > 0 and self.rows[top - 1].is_header:
            top -= 1
        region = Region(0, top, 1, self.cursor - top + 1)
        self.scroll_to_region(region, animate=False, force=True, immediate=True)

    def move(self, delta: int) -> None:
        if self.cursor is None:
            self._move_to(self._next_paper(-1, 1))
            return
        step = 1 if delta > 0 else -1
        index = self.cursor
        for _ in range(abs(delta)):
            found = self._next_paper(index, step)
            if found is None:
                break
            index = found
        self._move_to(index)

    def first(self) -> None:
        self._move_to(self._next_paper(-1, 1))

    def last(self) -> None:
        self._move_to(self._next_paper(len(self.rows), -1))

    def page(self, direction: int) -> None:
        height = max(self.scrollable_content_region.height - 1, 1)
        if self.cursor is None:
            self.first()
            return
        target = min(max(self.cursor + direction * height, 0), len(self.rows) - 1)
        found = self._next_paper(target - direction, direction) or self._next_paper(
            target, -direction
        )
        self._move_to(found)

    def next_day(self, direction: int) -> bool:
        """Jump to the first paper of the next (1) or previous (-1) day; False at the end."""
        if self.cursor is None:
            self.first()
            return False
        day = self.rows[self.cursor].day
        if direction > 0:
            for index in range(self.cursor + 1, len(self.rows)):
                if self.rows[index].day != day and self.rows[index].paper is not None:
                    self._move_to(index)
                    return True
            return False
        # Previous: the first paper of this day, or if already there, of the day before.
        first_of_day = self.cursor
        while first_of_day > 0 and self.rows[first_of_day - 1].paper is not None:
            first_of_day -= 1
        if first_of_day != self.cursor:
            self._move_to(first_of_day)
            return True
        index = first_of_day - 1
        while index >= 0 and self.rows[index].paper is None:
            index -= 1
        if index < 0:
            return False
        while index > 0 and self.rows[index - 1].paper is not None:
            index -= 1
        self._move_to(index)
        return True

    def find_next(self, want: Callable[[Paper], bool], wrap: bool = True) -> bool:
        start = self.cursor if self.cursor is not None else -1
        # Walked, not indexed: the rows may be a view (`RowView`), whose every index is a
        # search of its own.
        after = enumerate(islice(self.rows, start + 1, None), start + 1)
        before = enumerate(islice(self.rows, 0, start + 1)) if wrap else ()
        for index, row in chain(after, before):
            if row.paper is not None and want(row.paper):
                self._move_to(index)
                return True
        return False

    # ------------------------------------------------------------ events

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = offset.y + self.scroll_offset.y
        if 0 <= index < len(self.rows) and self.rows[index].paper is not None:
            self._move_to(index)
            if event.chain >= 2 and self.paper is not None:
                self.post_message(self.Activated(self.paper))

    def on_focus(self) -> None:
        if self.cursor is not None:
            self.refresh_line(self.cursor)

    def on_blur(self) -> None:
        if self.cursor is not None:
            self.refresh_line(self.cursor)

    def on_resize(self) -> None:
        set_virtual_size(self, Size(self.scrollable_content_region.width, len(self.rows)))
        self._clear_caches()

    def notify_style_update(self) -> None:
        self._styles = None
        self._rich_styles.clear()
        self._clear_caches()
        self._look_cache.clear()
        super().notify_style_update()

    def _clear_caches(self) -> None:
        self._content_cache.clear()
        self._strip_cache.clear()

    # ------------------------------------------------------------ rendering

    def _style(self, name: str) -> Style:
        if self._styles is None:
            self._styles = {}
        style = self._styles.get(name)
        if style is None:
            # One component class at a time: resolving them all up front cost ~15 ms of
            # the first frame.
            style = Style.from_rich_style(self.get_component_rich_style(name, partial=True))
            self._styles[name] = style
        return style

    def _rich(self, name: str) -> RichStyle:
        """The widget's own style ('base') or a component's, resolved once per style change:
        each lookup walks the CSS, and render_line runs for every visible line."""
        style = self._rich_styles.get(name)
        if style is None:
            style = self.rich_style if name == "base" else self.get_component_rich_style(name)
            self._rich_styles[name] = style
        return style

    def paint_state(self) -> _ListPaint:
        cursor_look = "paper-list--cursor" if self.has_focus else "paper-list--cursor-blurred"
        return self.scroll_offset.y, self.scrollable_content_region.width, cursor_look

    def render_line(self, y: int) -> Strip:
        top, width, cursor_look = self.painting()
        index = y + top
        if not self.rows and self._placeholder is not None:
            return self._placeholder_line(y, width)
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, self._rich("base"))
        row = self.rows[index]
        if row.is_header:
            look = "paper-list--header"
        elif index == self.cursor:
            look = cursor_look
        else:
            look = ""
        key = (index, look)
        strip = self._strip_cache.get(key)
        if strip is not None and strip.cell_length == width:
            return strip
        look_key = self._look_key(row, look, width)
        strip = self._look_cache.get(look_key)
        if strip is None:
            base = self._rich("base")
            if look:
                base = base + self._rich(look)
            content = self._row_content(index, row, width)
            # Spans carry colours only, so the row's (or cursor's) background shows through.
            segments = [
                Segment(text, (base + style.rich_style) if style else base)
                for text, style in content.render(Style.null(), end="")
            ]
            strip = Strip(segments).adjust_cell_length(width, base)
            if len(self._look_cache) >= 4096:
                self._look_cache.clear()
            self._look_cache[look_key] = strip
        self._strip_cache[key] = strip
        return strip

    def _look_key(self, row: Row, look: str, width: int) -> tuple[object, ...]:
        """Everything a row's line shows, and nothing else: two rows with the same key
        paint the same (the styles are the same until `notify_style_update`)."""
        paper = row.paper
        if paper is None:
            return (look, width, self.group_label(row.day), row.shown, *self._day_counts(row))
        flags, paper_id = self.flags, paper.id
        figure = self.site_figure if self.sort == "site" else self.sort
        highlight = self.highlight
        return (
            look,
            width,
            paper.title,
            flags.is_read(paper_id),
            flags.is_starred(paper_id),
            flags.is_pending(paper_id),
            flags.is_new(paper),
            flags.is_changed(paper_id),
            figure,
            sort_figure(paper, figure),
            self.movement(paper),
            self._delta_width,
            bool(paper.github),
            paper.comments,
            () if highlight is None else tuple(m.span() for m in highlight.finditer(paper.title)),
        )

    def _day_counts(self, row: Row) -> tuple[int, int]:
        """A header's papers in all and unread."""
        is_read = self.flags.is_read
        return len(row.day_papers), sum(1 for p in row.day_papers if not is_read(p.id))

    def set_placeholder(self, text: Content | None) -> None:
        """What the list says while it has no rows (why, and what to do), or nothing."""
        if text == self._placeholder:
            return
        self._placeholder = text
        self._placeholder_lines = []
        self.refresh()

    def _placeholder_line(self, y: int, width: int) -> Strip:
        assert self._placeholder is not None
        if not self._placeholder_lines or self._placeholder_lines[0].cell_length != width:
            lines = self._placeholder.wrap(max(width - 2, 10))
            base = self._rich("base")
            self._placeholder_lines = [
                Strip(
                    [Segment(" ", base)]
                    + [
                        Segment(text, (base + style.rich_style) if style else base)
                        for text, style in line.render(Style.null(), end="")
                    ]
                ).adjust_cell_length(width, base)
                for line in lines
            ]
        if y < len(self._placeholder_lines):
            return self._placeholder_lines[y]
        return Strip.blank(width, self._rich("base"))

    def _row_content(self, index: int, row: Row, width: int) -> Content:
        key = (index, row.paper.id if row.paper else "")
        cached = self._content_cache.get(key)
        if cached is not None and cached.cell_length == width:
            return cached
        content = self._header(row) if row.paper is None else self._paper_row(row.paper)
        content = content.truncate(width, ellipsis=True, pad=True)
        self._content_cache[key] = content
        return content

    def _header(self, row: Row) -> Content:
        total, unread = self._day_counts(row)
        parts: list[Content | str | tuple[str, Style]] = [
            f" {self.group_label(row.day)}",
            (
                f"  ·  {row.shown} paper{'s' if row.shown != 1 else ''}",
                self._style("paper-list--dim"),
            ),
        ]
        if row.shown != total:
            parts.append((f" of {total}", self._style("paper-list--dim")))
        if unread:
            parts.append((f"  ·  {unread} unread", self._style("paper-list--unread")))
        else:
            parts.append(("  ·  all read", self._style("paper-list--dim")))
        return Content.assemble(*parts)

    def _paper_row(self, paper: Paper) -> Content:
        figure = self.site_figure if self.sort == "site" else self.sort
        read = self.flags.is_read(paper.id)
        starred = self.flags.is_starred(paper.id)
        pending = self.flags.is_pending(paper.id)
        new = self.flags.is_new(paper)
        delta = self.movement(paper)
        width = self.scrollable_content_region.width
        # Fixed width, so titles line up whether or not a paper moved.
        delta_text = f"▲+{min(delta, 999)}" if delta else ""
        prefix = Content.assemble(
            (" ●" if not read else "  ", self._style("paper-list--unread")),
            (SAVING if pending else "★" if starred else " ", self._style("paper-list--star")),
            # Δ: a starred paper that changed on the site (code, stars, models…).
            (
                "✦" if new else "Δ" if self.flags.is_changed(paper.id) else " ",
                self._style("paper-list--new"),
            ),
            (
                f"{sort_figure(paper, figure):>{5 if figure == 'published' else 4}} ",
                self._style("paper-list--votes"),
            ),
            (f"{delta_text:<{self._delta_width}}", self._style("paper-list--delta")),
            ("{}" if paper.github else "  ", self._style("paper-list--code")),
            " ",
        )
        suffix = Content(f" ✎{paper.comments}" if paper.comments else "").stylize(
            self._style("paper-list--dim")
        )
        title = Content(paper.title)
        if read:
            title = title.stylize(self._style("paper-list--read"))
        if self.highlight is not None:
            title = title.highlight_regex(self.highlight, style=self._style("paper-list--match"))
        room = max(width - prefix.cell_length - suffix.cell_length, 8)
        if title.cell_length > room:
            title = title.truncate(room, ellipsis=True)
        else:
            title = title.pad_right(room - title.cell_length)
        return Content.assemble(prefix, title, suffix)
