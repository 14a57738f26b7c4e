"""Helpers shared by the line-API widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar, cast

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.geometry import Offset, Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip

if TYPE_CHECKING:
    from textual.widget import Widget

PaintState = TypeVar("PaintState")


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Change how many lines a scroll view holds without a layout pass over the screen.

    Assigning `virtual_size` asks for a full reflow and repaint of the screen, which cost
    tens of milliseconds per cursor move or filter keystroke. These views keep their
    vertical scrollbar always shown (overflow-y: scroll), so their own size cannot change
    with their content: updating the scrollbars and repainting the view is enough.
    """
    if view.virtual_size == size:
        return
    view.set_reactive(ScrollView.virtual_size, size)
    view._scroll_update(size)
    view.refresh()


class OncePerPaint(Generic[PaintState]):
    """For a line-API widget: work out what every line of a paint shares once per paint.

    Scroll offset, width and the like are each a walk through Textual's geometry; asked
    for in `render_line`, they cost about a third of painting a pane. Mix in before the
    widget class and read `painting()` in `render_line`.
    """

    _paint: PaintState | None = None

    def paint_state(self) -> PaintState:
        raise NotImplementedError

    def painting(self) -> PaintState:
        """The current paint's shared state (worked out afresh outside a paint, as when a
        test asks for one line)."""
        return self._paint if self._paint is not None else self.paint_state()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint = self.paint_state()
        try:
            return super().render_lines(crop)  # type: ignore[misc, no-any-return]
        finally:
            self._paint = None


BAR_WIDTH = 2
"""Columns of a position bar, as wide as Textual's vertical scrollbar."""


class PositionBar:
    """For a scroll view that paints its own position bar in its last `BAR_WIDTH` columns
    (with `scrollbar-size-vertical: 0`) instead of showing Textual's scrollbar.

    Textual's scrollbar is a widget of its own: every scroll, and in the abstract every
    new paper, repainted it line by line, and it added a column to every line the
    compositor cuts (~4 ms of an ~18 ms cursor move). The bar looks the same (Textual's
    glyphs and scrollbar colours) and takes the mouse as the scrollbar does: a press
    above or below the thumb pages that way, and the thumb can be dragged.
    """

    _bar: list[Strip]
    _bar_key: tuple[int, int, int, RichStyle] | None = None
    _bar_grab: tuple[int, int] | None = None
    """Where a drag of the thumb began: the pointer's screen row, the scroll offset."""

    def bar_cells(self, height: int, total: int, top: int, base: RichStyle) -> list[Strip]:
        """The bar's cells on each of `height` visible lines, for `total` lines scrolled
        to `top`; made once per scroll position."""
        key = (top, total, height, base)
        if key == self._bar_key:
            return self._bar
        widget = cast("Widget", self)
        styles = widget.styles
        # Colours as Textual's own scrollbar works them out for this widget.
        background = styles.scrollbar_background
        if background.a < 1:
            background = widget.background_colors[0] + background
        color = background + styles.scrollbar_color
        cells = ScrollBarRender.render_bar(
            size=height,
            virtual_size=total,
            window_size=height if height < total else 0,
            position=top,
            thickness=BAR_WIDTH,
            back_color=background.rich_color,
            bar_color=color.rich_color,
        ).segments
        # Without the scrollbar's mouse actions, which would run on this widget instead.
        self._bar = [
            Strip([Segment(cell.text, base + (cell.style or RichStyle()).clear_meta_and_links())])
            for cell in cells
        ]
        self._bar_key = key
        return self._bar

    def on_bar(self, event: events.MouseEvent) -> Offset | None:
        """Where on the bar `event` happened, or None when it was not on the bar."""
        widget = cast("Widget", self)
        offset = event.get_content_offset(widget)
        if offset is None or offset.x < widget.scrollable_content_region.width - BAR_WIDTH:
            return None
        return offset

    def _thumb(self) -> tuple[float, float, int, int] | None:
        widget = cast("Widget", self)
        height = widget.scrollable_content_region.height
        total = widget.virtual_size.height
        if total <= height or height <= 0:
            return None
        top = height * widget.scroll_offset.y / total
        return top, top + height * height / total, height, total

    async def _on_mouse_down(self, event: events.MouseDown) -> None:
        widget = cast("Widget", self)
        offset = self.on_bar(event)
        thumb = self._thumb()
        if offset is None or thumb is None:
            return
        thumb_top, thumb_bottom, _, _ = thumb
        if offset.y < thumb_top:
            widget.scroll_page_up(animate=False)
        elif offset.y >= thumb_bottom:
            widget.scroll_page_down(animate=False)
        else:
            self._bar_grab = (event.screen_y, widget.scroll_offset.y)
            widget.capture_mouse()

    async def _on_mouse_move(self, event: events.MouseMove) -> None:
        thumb = self._thumb()
        if self._bar_grab is None or thumb is None:
            return
        _, _, height, total = thumb
        start_y, start_scroll = self._bar_grab
        target = start_scroll + (event.screen_y - start_y) * total / height
        cast("Widget", self).scroll_to(y=target, animate=False, immediate=True)

    async def _on_mouse_up(self, event: events.MouseUp) -> None:
        if self._bar_grab is not None:
            self._bar_grab = None
            cast("Widget", self).release_mouse()
