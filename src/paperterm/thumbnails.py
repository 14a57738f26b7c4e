"""A paper's thumbnail: where the terminal can show it and how, and the image itself,
fetched once and cached. No Textual.

The way to draw it is chosen before the UI starts, from the environment alone: asking the
terminal (what textual-image does when it is imported) writes escape sequences and waits
for the answer, which costs start-up and, once Textual reads the keyboard, turns the answer
into keystrokes. Kitty (and Ghostty) speak the Kitty graphics protocol, WezTerm, foot,
Konsole, iTerm2, mlterm and contour draw Sixel; any other terminal gets coloured
half-block cells, which every terminal with colour shows; `thumbnails = "off"` (or not a
terminal) draws nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from paperterm.errors import FetchError
from paperterm.fsutil import write_cache_file

Protocol = Literal["kitty", "sixel", "cells", "off"]
MAX_BYTES = 4 * 1024 * 1024
"""A thumbnail is some 100 KB; anything this big is not one."""
MAX_PIXELS = 4096 * 4096
SHOWN_WIDTH = 640
"""Pixels kept of the width: more than any terminal cell grid beside the page shows."""

_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
_SIXEL_PROGRAMS = {"WezTerm", "iTerm.app", "mlterm", "contour"}
_SIXEL_TERMS = ("foot", "mlterm", "contour", "yaft")


def choose_protocol(setting: str, env: Mapping[str, str], is_terminal: bool) -> Protocol:
    """How the thumbnail is drawn, from the config's `thumbnails` and the environment."""
    if setting == "off" or not is_terminal or env.get("TERM", "") in ("", "dumb"):
        return "off"
    if setting == "cells":
        return "cells"
    if env.get("TMUX") or env.get("TERM", "").startswith(("screen", "tmux")):
        return "cells"  # a multiplexer passes graphics through badly, if at all
    term = env.get("TERM", "")
    program = env.get("TERM_PROGRAM", "")
    if env.get("KITTY_WINDOW_ID") or term == "xterm-kitty" or program == "ghostty":
        return "kitty"
    if program in _SIXEL_PROGRAMS or term.startswith(_SIXEL_TERMS) or env.get("KONSOLE_VERSION"):
        return "sixel"
    return "cells"


def looks_like_image(body: bytes) -> bool:
    """PNG, JPEG, GIF or WebP by their first bytes: a challenge page or an SVG is not."""
    return body.startswith(_SIGNATURES) or (body[:4] == b"RIFF" and body[8:12] == b"WEBP")


def decode(body: bytes) -> Any:
    """The image, RGB and at most SHOWN_WIDTH wide, or None if it is not one Pillow can
    read within bounds. Slow (tens of ms): run it in a thread."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(body)) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            image.draft("RGB", (SHOWN_WIDTH, SHOWN_WIDTH))  # JPEG: decode at a smaller size
            rgb = image.convert("RGB")
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        return None
    if rgb.width > SHOWN_WIDTH:
        rgb.thumbnail((SHOWN_WIDTH, SHOWN_WIDTH * 4))
    return rgb


class ThumbnailSource:
    """Thumbnails by paper id, under `thumbnails/` in the cache dir, kept once fetched (a
    paper's thumbnail does not change)."""

    def __init__(self, fetcher: Callable[[], Any], root: Path, url_template: str) -> None:
        self._fetcher = fetcher
        self.root = root
        self.url_template = url_template

    def url(self, paper_id: str) -> str:
        return self.url_template.replace("{id}", paper_id)

    def _path(self, paper_id: str) -> Path:
        return self.root / f"{paper_id.replace('/', '_')}.img"

    async def load(self, paper_id: str, *, offline: bool = False) -> bytes | None:
        """The image's bytes, or None: not cached offline, not there, or not an image
        (a thumbnail is never required, so nothing here is an error for the user)."""
        path = self._path(paper_id)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except OSError:
            pass
        if offline:
            return None
        try:
            response = await self._fetcher().get(self.url(paper_id))
        except FetchError:
            return None
        body: bytes = response.body
        if len(body) > MAX_BYTES or not looks_like_image(body):
            return None
        await asyncio.to_thread(write_cache_file, path, body)
        return body
