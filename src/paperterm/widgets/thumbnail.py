"""The paper page's thumbnail, drawn by textual-image: Kitty graphics, Sixel, or coloured
half-block cells (`thumbnails.choose_protocol` said which, before the UI started).

textual-image asks the terminal what it can draw when it is first imported, and how big a
cell is in pixels when it first draws. Both would write escape sequences and read the
answer from the keyboard that Textual now owns; the answer would arrive as keystrokes.
So it is imported (on the first page with a thumbnail, never at start-up) with its probe
looking at a stand-in that is no terminal, and the cell size it would ask for is read
with an ioctl that writes nothing. Both touch textual-image's internals: it is pinned.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

from textual.widget import Widget

from paperterm.thumbnails import Protocol

DEFAULT_CELL = (10, 20)
"""Pixels of a cell when the terminal does not say (VT340's, textual-image's default)."""


class _NotATerminal:
    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def cell_pixels() -> tuple[int, int]:
    """A cell's width and height in pixels, from TIOCGWINSZ (no bytes to the terminal)."""
    with contextlib.suppress(OSError, ValueError, AttributeError, ImportError):
        import fcntl
        import struct
        import termios

        stdout = sys.__stdout__
        assert stdout is not None
        packed = fcntl.ioctl(stdout.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
        rows, cols, width, height = struct.unpack("HHHH", packed)
        if rows and cols and width and height:
            return width // cols, height // rows
    return DEFAULT_CELL


def image_widget_class(protocol: Protocol) -> type[Widget]:
    """textual-image's widget for `protocol`, imported without its terminal probe."""
    import textual_image._terminal as terminal

    if not hasattr(terminal.get_cell_size, "_result"):
        terminal.get_cell_size._result = terminal.CellSize(*cell_pixels())  # type: ignore[attr-defined]
    real = sys.__stdout__
    sys.__stdout__ = _NotATerminal()  # type: ignore[misc,assignment]
    try:
        import textual_image.widget as widgets
    finally:
        sys.__stdout__ = real  # type: ignore[misc]
    chosen: dict[str, type[Widget]] = {
        "kitty": widgets.TGPImage,
        "sixel": widgets.SixelImage,
        "cells": widgets.HalfcellImage,
    }
    return chosen[protocol]


THUMBNAIL_WIDTH = 42
CARD_ASPECT = 648 / 1200
"""The site's thumbnails are social cards of this shape; another is fitted inside."""


def thumbnail_rows(cell: tuple[int, int]) -> int:
    """Rows a card THUMBNAIL_WIDTH cells wide takes, for cells of this many pixels."""
    return max(1, round(THUMBNAIL_WIDTH * CARD_ASPECT * cell[0] / cell[1]))


class Thumbnail(Widget):
    """The thumbnail's place beside the page, its size fixed from the start: the page's
    text does not move when the picture arrives. `draw` puts the picture in it; with none
    to draw, `remove` it."""

    DEFAULT_CSS = """
    Thumbnail { margin: 0 1; }
    """

    def __init__(self, protocol: Protocol, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.protocol = protocol
        self.rows = thumbnail_rows(cell_pixels())
        self.styles.width = THUMBNAIL_WIDTH
        self.styles.height = self.rows

    async def draw(self, image: Any) -> None:
        """`image`: a decoded PIL image (`thumbnails.decode`, in a thread)."""
        widget = image_widget_class(self.protocol)(image)
        widget.styles.width = THUMBNAIL_WIDTH
        widget.styles.height = self.rows
        await self.mount(widget)
