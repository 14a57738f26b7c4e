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
# C0 except tab and newline, DEL, C1, bidi embeddings/overrides/isolates, the direction
# marks that can reorder what a reader sees (U+061C, U+200E, U+200F), and the invisible
# characters that carry no meaning in a title or abstract but can pad one out to any
# width or hide a word from the filter: zero-width space, word joiner and the invisible
# operators, the Mongolian vowel separator, the BOM. (ZWNJ and ZWJ shape scripts and
# emoji, so only their runs are cut, to one.)
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff]|([\u200c\u200d])[\u200c\u200d]+"
)
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n"

MAX_LINE = 2_000
MAX_BLOCK = 20_000


def has_controls(text: str) -> bool:
    """Whether `text` holds anything `strip_controls` would remove."""
    # Deleting every printable ASCII byte (a C loop over a table, several times faster than
    # the character-class scan) leaves the controls and the non-ASCII characters, whole:
    # only that remainder, usually empty or a few accents, goes through the pattern.
    rest = text.encode("utf-8", "surrogatepass").translate(None, _PRINTABLE_ASCII)
    if not rest:
        return False
    return _CONTROL.search(rest.decode("utf-8", "surrogatepass")) is not None


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters, keeping printable text."""
    # Nearly all real text has none of these: one quick scan decides, and the costlier
    # sequence pattern runs only where an escape or control character is present.
    if not text or not has_controls(text):
        return text
    text = _ESCAPE_SEQ.sub("", text)
    return _CONTROL.sub(_keep_joiner, text)


def _keep_joiner(match: re.Match[str]) -> str:
    return match.group(1) or ""


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _is_folded(text: str) -> bool:
    """Whether `" ".join(text.split())` would give `text` back, without splitting it."""
    # isprintable() is False for every whitespace character but the ASCII space, so a
    # printable text with no double space and none at either end is already folded.
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def _fold_spaces(text: str) -> str:
    """Runs of whitespace as one space, none at the ends."""
    return text if _is_folded(text) else " ".join(text.split())


def clean_line(value: object, limit: int = MAX_LINE) -> str:
    """A single line of display text: controls removed, whitespace folded, length capped."""
    if not isinstance(value, str):
        return ""
    # Hot: called for every author of every paper (~200k times over the corpus).
    text = _fold_spaces(strip_controls(value if value.isascii() else _nfc(value)))
    return text if len(text) <= limit else _cap(text, limit)


def clean_lines(values: list[str], limit: int = MAX_LINE) -> list[str]:
    """`clean_line` over many short strings (author lists of hundreds), with one check of
    them all when none holds a control character, which is nearly always."""
    if not values:
        return []
    joined = " ".join(values)
    if has_controls(joined) or (
        not joined.isascii() and not unicodedata.is_normalized("NFC", joined)
    ):
        return [clean_line(v, limit) for v in values]
    # Joined by single spaces and folded as a whole: then no value needs folding (an
    # empty value, or one with a space at either end, would show as a double space).
    out = list(values) if _is_folded(joined) else [_fold_spaces(value) for value in values]
    if max(map(len, out)) > limit:
        out = [text if len(text) <= limit else _cap(text, limit) for text in out]
    return out


def clean_block(value: object, limit: int = MAX_BLOCK) -> str:
    """An abstract: hard wraps joined, runs of spaces folded; blank lines keep paragraphs."""
    if not isinstance(value, str):
        return ""
    text = strip_controls(value if value.isascii() else _nfc(value))
    paragraphs = _PARAGRAPH.split(text) if "\n\n" in text or "\n " in text else [text]
    # Abstracts come hard-wrapped: a line break is a space unless it is a paragraph's.
    folded = [_fold_spaces(p.replace("\n", " ")) for p in paragraphs]
    return _cap("\n\n".join(p for p in folded if p), limit)


def plural(count: int, noun: str, many: str | None = None) -> str:
    """'1 paper', '2 papers', '1,234 papers': counts agree with their nouns."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"
