"""What the reader remembers of how it was last used: the sort, hide-read, the searches
and the theme.

Not the user's data (that is state.toml): a small TOML file beside it, written atomically
with tomli-w. A missing or damaged file only means the config's defaults are used.
"""

from __future__ import annotations

import contextlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from paperterm.fsutil import atomic_write, read_regular
from paperterm.listing import Sort, as_sort
from paperterm.text import clean_line

MAX_SEARCHES = 10


@dataclass
class ViewPrefs:
    sort: Sort | None = None
    hide_read: bool | None = None
    searches: tuple[str, ...] = ()
    """The latest searches of the site, newest first (the feed list offers them)."""
    theme: str | None = None
    """The Textual theme last chosen (in the command palette)."""


def load_prefs(path: Path) -> ViewPrefs:
    prefs = ViewPrefs()
    try:
        doc = tomllib.loads(read_regular(path).decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return prefs
    prefs.sort = as_sort(doc.get("sort"))
    if isinstance(doc.get("hide_read"), bool):
        prefs.hide_read = doc["hide_read"]
    theme = doc.get("theme")
    if isinstance(theme, str) and theme:
        prefs.theme = clean_line(theme, 60)
    searches = doc.get("searches")
    if isinstance(searches, list):
        cleaned = (clean_line(q, 200) for q in searches if isinstance(q, str))
        prefs.searches = tuple(q for q in cleaned if q)[:MAX_SEARCHES]
    return prefs


def save_prefs(path: Path, prefs: ViewPrefs) -> None:
    pairs = (("sort", prefs.sort), ("hide_read", prefs.hide_read), ("theme", prefs.theme))
    doc: dict[str, object] = {k: v for k, v in pairs if v is not None}
    if prefs.searches:
        doc["searches"] = list(prefs.searches)
    with contextlib.suppress(OSError):
        atomic_write(path, tomli_w.dumps(doc).encode(), durable=False)
