"""The records paperterm works with. Built once, cleaned once, never mutated."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any, Literal, TypeVar
from urllib.parse import quote

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


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper of the feed, keyed by its arXiv id. Every string is already cleaned."""

    id: str
    title: str
    day: date
    """The feed day it was listed on (not its arXiv date)."""
    abstract: str = ""
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
    ai_summary: str = ""
    ai_keywords: tuple[str, ...] = ()
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

    def briefly(self) -> Paper:
        """This paper as a list row needs it: without its texts."""
        if self.brief:
            return self
        return replace(self, abstract="", ai_summary="", ai_keywords=(), brief=True)

    def brief_row(self) -> list[object]:
        """The cache's brief form: the values of BRIEF_FIELDS, as `to_json` gives them."""
        record = self._json()
        return [record[name] for name in BRIEF_FIELDS]

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
        return _make_paper(
            str(data["id"]),
            str(data["title"]),
            _day(str(data["day"])),
            str(get("abstract") or ""),
            tuple(map(str, get("authors") or ())),  # type: ignore[call-overload]
            int(get("author_count") or 0),  # type: ignore[call-overload]
            int(get("upvotes") or 0),  # type: ignore[call-overload]
            int(get("comments") or 0),  # type: ignore[call-overload]
            datetime.fromisoformat(published) if isinstance(published, str) else None,
            _opt_str(get("github")),
            stars if isinstance(stars, int) else None,
            _opt_str(get("project_page")),
            str(get("ai_summary") or ""),
            tuple(map(str, get("ai_keywords") or ())),  # type: ignore[call-overload]
            str(get("organization") or ""),
            str(get("org_handle") or ""),
            str(get("submitter") or ""),
            bool(get("withdrawn")),
            brief,
        )

    @classmethod
    def from_brief_row(cls, row: Sequence[Any]) -> Paper:
        """Rebuild from `brief_row` output: a paper without its texts (`brief`)."""
        # An array, not an object: the brief files of 98.8k papers parse in half the time
        # without a key per value, and unpack without a lookup per field.
        (
            pid,
            title,
            day,
            authors,
            author_count,
            upvotes,
            comments,
            published,
            github,
            stars,
            project_page,
            organization,
            org_handle,
            submitter,
            withdrawn,
        ) = row
        return _make_paper(
            str(pid),
            str(title),
            _day(day),
            "",
            tuple(authors),
            int(author_count),
            int(upvotes),
            int(comments),
            datetime.fromisoformat(published) if published else None,
            _opt_str(github),
            stars if isinstance(stars, int) else None,
            _opt_str(project_page),
            "",
            (),
            str(organization or ""),
            str(org_handle or ""),
            str(submitter or ""),
            bool(withdrawn),
            True,
        )


def by_votes_key(paper: Paper) -> tuple[int, str]:
    """The list's order of a day's papers: most upvoted first, then by title."""
    return (-paper.upvotes, paper.title.casefold())


@functools.lru_cache(maxsize=4096)
def _day(text: str) -> date:
    return date.fromisoformat(text)


JSON_KEYS = frozenset(Paper("", "", date.min)._json())
"""The keys of a `to_json` record: a cached record with exactly these is one."""

BRIEF_FIELDS = (
    "id",
    "title",
    "day",
    "authors",
    "author_count",
    "upvotes",
    "comments",
    "published",
    "github",
    "github_stars",
    "project_page",
    "organization",
    "org_handle",
    "submitter",
    "withdrawn",
)
"""What a brief row (`Paper.brief_row`) holds, in its order: `to_json` less the texts and
the links made from the id. A brief file names them, so one of another layout is not read."""

_Record = TypeVar("_Record")


def positional_maker(cls: type[_Record]) -> Callable[..., _Record]:
    """A maker of `cls`, a frozen slots dataclass, from every field's value in order: the
    same object `cls(*values)` makes (frozen, equal, hashed alike), at half the cost.

    A frozen dataclass's `__init__` sets each field through `object.__setattr__`, looked
    up and called per field: 6.4 of a Paper's ~10 us here, 0.6 s of reading 98.8k papers.
    The slots' own descriptors set them without the lookup and without the frozen check,
    which guards against changes after construction, not during it. The maker is written
    out field by field, as dataclasses writes `__init__`: a loop over the setters cost
    5.7 us, the written-out calls 3.4. Worth it for a class of many fields; for two or
    four, the call costs more than it saves."""
    names = [field.name for field in fields(cls)]  # type: ignore[arg-type]
    scope: dict[str, object] = {"_new": object.__new__, "_cls": cls}
    scope.update({f"_set_{name}": getattr(cls, name).__set__ for name in names})
    lines = [f"def make({', '.join(names)}):", "    made = _new(_cls)"]
    lines += [f"    _set_{name}(made, {name})" for name in names]
    lines.append("    return made")
    exec("\n".join(lines), scope)  # the names are the class's own fields
    return scope["make"]  # type: ignore[return-value]


_make_paper = positional_maker(Paper)


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
