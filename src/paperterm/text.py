"""Cleaning of scraped text.

Every string from the site is hostile until it has been through `clean_line` or
`clean_block`: terminal escape sequences, C0/C1 controls and bidi overrides are removed once,
when the record is built, so that nothing downstream (the list, the abstract pane, `--json`,
the status line) has to remember to do it. Rendering still goes through Textual `Content`
so that `[...]` stays literal.
"""

from __future__ import annotations

import re
import unicodedata

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC (ESC ] P X ^ _ ...
# terminated by BEL or ST), and two-character escapes. Also their 8-bit C1 forms.
_ESCAPE_SEQ = re.compile(
    r"""
    (?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?      # CSI
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])   # OSC DCS SOS PM APC ...
        [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?       # ... up to BEL or ST
  | \x1b[\x20-\x2f]*[\x30-\x7e]?                               # other ESC sequences
    """,
    re.VERBOSE,
)
# C0 except tab and newline, DEL, C1, bidi embeddings/overrides/isolates, and the
# zero-width direction marks that can reorder what a reader sees.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACE_RUN = re.compile(r"\s+")

MAX_LINE = 2_000
MAX_BLOCK = 20_000


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters, keeping printable text."""
    if not text:
        return ""
    text = _ESCAPE_SEQ.sub("", text)
    return _CONTROL.sub("", text)


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def clean_line(value: object, limit: int = MAX_LINE) -> str:
    """A single line of display text: controls removed, whitespace folded, length capped."""
    if not isinstance(value, str):
        return ""
    text = strip_controls(unicodedata.normalize("NFC", value))
    return _cap(_SPACE_RUN.sub(" ", text).strip(), limit)


def clean_block(value: object, limit: int = MAX_BLOCK) -> str:
    """An abstract: hard wraps joined, runs of spaces folded; blank lines keep paragraphs."""
    if not isinstance(value, str):
        return ""
    text = strip_controls(unicodedata.normalize("NFC", value))
    paragraphs = re.split(r"\n[ \t]*\n", text)
    folded = [_SPACE_RUN.sub(" ", p).strip() for p in paragraphs]
    return _cap("\n\n".join(p for p in folded if p), limit)
