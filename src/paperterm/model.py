"""The records paperterm works with. Built once, cleaned once, never mutated."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from typing import Literal
from urllib.parse import quote

import msgspec
from msgspec.structs import astuple, replace

# New-style arXiv ids (2407.21783, optionally with a version) and old-style ones
# (hep-th/9901001). Links are only ever built from an id that matched.
ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z.-]{1,20}/\d{7}(?:v\d+)?)$")

HF_BASE = "https://huggingface.co"

Source = Literal["page", "api"]
"""Which of the site's two ways a day's list came: the day page or the JSON API."""

_NEW_ID = re.compile(r"^(\d{4}\.\d{4,5})(?:v\d+)?$")
_OLD_ID = re.compile(r"^[a-z][a-z.-]{1,20}/\d{7}(?:v\d+)?$", re.IGNORECASE)
_ID_IN_TEXT = re.compile(
    r"(?:huggingface\.co/papers/|arxiv\.org/(?:abs|pdf|html)/|^arxiv:)"
    r"((?:[a-z][a-z.-]{1,20}/)?[^\s/?#]+)",
    re.IGNORECASE,
)


class PaperIdError(ValueError):
    """Text that names no paper the site could have; the message says why."""


def parse_paper_id(text: str) -> str:
    """The site's id for a paper given as `2407.21783`, `arXiv:2407.21783`, a version
    (`2407.21783v2`), or an HF or arXiv URL (abs, pdf, html; with a version or `.pdf`)."""
    raw = text.strip()
    match = _ID_IN_TEXT.search(raw)
    candidate = match.group(1) if match else raw
    candidate = candidate.removesuffix(".pdf").removesuffix(".PDF")
    new = _NEW_ID.match(candidate)
    if new:
        return new.group(1)
    if _OLD_ID.match(candidate):
        raise PaperIdError(
            f"{raw!r} is an old-style arXiv id: not on Hugging Face Papers, "
            "which lists papers from 2023 on"
        )
    raise PaperIdError(
        f"{raw!r} is not a paper id (expected e.g. 2407.21783, arXiv:2407.21783 or a paper URL)"
    )


class Paper(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One paper of the feed, keyed by its arXiv id. Every string is already cleaned.

    A msgspec struct, not a dataclass: a heavy user's whole list is 98.8k of them, read
    from the cache's brief rows (`decode_brief_rows`), which msgspec decodes into Papers
    in C, five times faster than parsing the JSON and making each Paper in Python (most
    of the list's load). Frozen and compared by value as the dataclass was. `gc=False`:
    a Paper holds strings, numbers, dates and tuples of strings, never anything that
    could refer back to it, so the collector need not walk 98.8k of them.

    The fields are in the brief row's order (`array_like`: a row is the fields in order,
    the texts last, left off the row)."""

    id: str
    title: str
    day: date
    """The feed day it was listed on (not its arXiv date)."""
    authors: tuple[str, ...] = ()
    """Every author, hidden ones included, in the paper's order."""
    author_count: int = 0
    """The site's author count; equals len(authors) unless only a card was available."""
    upvotes: int = 0
    comments: int = 0
    published: datetime | None = None
    """arXiv publication time."""
    github: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    organization: str = ""
    """The organisation's display name."""
    org_handle: str = ""
    """Its handle on the site (e.g. AlibabaTongyiLab), which search matches too."""
    submitter: str = ""
    withdrawn: bool = False
    brief: bool = False
    """Read without its abstract, AI summary and keywords (the list's form of a cached
    day, which holds a fifth of the bytes): what needs them asks the library for the
    whole paper (`Library.whole_papers`). Never written out as it is (`to_json`)."""
    abstract: str = ""
    ai_summary: str = ""
    ai_keywords: tuple[str, ...] = ()

    def briefly(self) -> Paper:
        """This paper as a list row needs it: without its texts."""
        if self.brief:
            return self
        return replace(self, abstract="", ai_summary="", ai_keywords=(), brief=True)

    def brief_row(self) -> tuple[object, ...]:
        """The cache's brief form: the values of BRIEF_FIELDS, in order (`brief` True),
        which msgspec decodes back into this paper briefly (`decode_brief_rows`)."""
        values = astuple(self)
        return (*values[:_BRIEF_AT], True)

    @property
    def hf_url(self) -> str:
        return f"{HF_BASE}/papers/{quote(self.id, safe='./')}"

    @property
    def arxiv_url(self) -> str | None:
        return f"https://arxiv.org/abs/{self.id}" if ARXIV_ID.match(self.id) else None

    @property
    def pdf_url(self) -> str | None:
        return f"https://arxiv.org/pdf/{self.id}" if ARXIV_ID.match(self.id) else None

    @property
    def links(self) -> list[tuple[str, str]]:
        """Every link the paper has, labelled, in the order the link picker shows them."""
        out: list[tuple[str, str]] = [("Hugging Face page", self.hf_url)]
        if self.arxiv_url:
            out.append(("arXiv abstract", self.arxiv_url))
        if self.pdf_url:
            out.append(("PDF", self.pdf_url))
        if self.github:
            out.append(("Code (GitHub)", self.github))
        if self.project_page:
            out.append(("Project page", self.project_page))
        return out

    def to_json(self) -> dict[str, object]:
        if self.brief:
            raise ValueError(f"{self.id} was read without its texts: get the whole paper")
        return self._json()

    def _json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "day": self.day.isoformat(),
            "upvotes": self.upvotes,
            "comments": self.comments,
            "authors": list(self.authors),
            "author_count": self.author_count,
            "abstract": self.abstract,
            "published": self.published.isoformat() if self.published else None,
            "github": self.github,
            "github_stars": self.github_stars,
            "project_page": self.project_page,
            "ai_summary": self.ai_summary or None,
            "ai_keywords": list(self.ai_keywords),
            "organization": self.organization or None,
            "org_handle": self.org_handle or None,
            "submitter": self.submitter or None,
            "withdrawn": self.withdrawn,
            "hf_url": self.hf_url,
            "arxiv_url": self.arxiv_url,
            "pdf_url": self.pdf_url,
        }

    @classmethod
    def from_json(cls, data: dict[str, object], *, brief: bool = False) -> Paper:
        """Rebuild from `to_json` output (the cache's parsed form); trusted, already clean."""
        # Ninety-eight thousand of these make the whole list of a heavy user's years:
        # positional, one `get`, and a day's date made once (most of the cost was here).
        get = data.get
        published = get("published")
        stars = get("github_stars")
        return cls(
            str(data["id"]),
            str(data["title"]),
            _day(str(data["day"])),
            tuple(map(str, get("authors") or ())),  # type: ignore[call-overload]
            int(get("author_count") or 0),  # type: ignore[call-overload]
            int(get("upvotes") or 0),  # type: ignore[call-overload]
            int(get("comments") or 0),  # type: ignore[call-overload]
            datetime.fromisoformat(published) if isinstance(published, str) else None,
            _opt_str(get("github")),
            stars if isinstance(stars, int) else None,
            _opt_str(get("project_page")),
            str(get("organization") or ""),
            str(get("org_handle") or ""),
            str(get("submitter") or ""),
            bool(get("withdrawn")),
            brief,
            str(get("abstract") or ""),
            str(get("ai_summary") or ""),
            tuple(map(str, get("ai_keywords") or ())),  # type: ignore[call-overload]
        )


def by_votes_key(paper: Paper) -> tuple[int, str]:
    """The list's order of a day's papers: most upvoted first, then by title."""
    return (-paper.upvotes, paper.title.casefold())


@functools.lru_cache(maxsize=4096)
def _day(text: str) -> date:
    return date.fromisoformat(text)


JSON_KEYS = frozenset(Paper("", "", date.min)._json())
"""The keys of a `to_json` record: a cached record with exactly these is one."""

BRIEF_FIELDS = tuple(Paper.__struct_fields__[: Paper.__struct_fields__.index("brief") + 1])
"""What a brief row (`Paper.brief_row`) holds, in its order: the fields up to `brief`,
which is True in every row, less the texts after it. A brief file names them, so one of
another layout is not read."""
_BRIEF_AT = len(BRIEF_FIELDS) - 1

_BRIEF_ROWS = msgspec.json.Decoder(tuple[Paper, ...])


def decode_brief_rows(data: bytes | memoryview) -> tuple[Paper, ...]:
    """Papers from a JSON array of `brief_row`s, made by msgspec in C. Raises ValueError
    for anything else: other JSON, a row of another layout, a value of the wrong type."""
    try:
        papers = _BRIEF_ROWS.decode(data)
    except msgspec.MsgspecError as error:
        raise ValueError(str(error)) from error
    if not all(paper.brief for paper in papers):
        raise ValueError("a brief row is not marked brief")
    return papers


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
