"""The records paperterm works with. Built once, cleaned once, never mutated."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
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
    def from_json(cls, data: dict[str, object]) -> Paper:
        """Rebuild from `to_json` output (the cache's parsed form); trusted, already clean."""
        published = data.get("published")
        stars = data.get("github_stars")
        return cls(
            id=str(data["id"]),
            title=str(data["title"]),
            day=date.fromisoformat(str(data["day"])),
            abstract=str(data.get("abstract") or ""),
            authors=tuple(str(a) for a in data.get("authors") or ()),  # type: ignore[attr-defined]
            author_count=int(data.get("author_count") or 0),  # type: ignore[call-overload]
            upvotes=int(data.get("upvotes") or 0),  # type: ignore[call-overload]
            comments=int(data.get("comments") or 0),  # type: ignore[call-overload]
            published=datetime.fromisoformat(published) if isinstance(published, str) else None,
            github=_opt_str(data.get("github")),
            github_stars=stars if isinstance(stars, int) else None,
            project_page=_opt_str(data.get("project_page")),
            ai_summary=str(data.get("ai_summary") or ""),
            ai_keywords=tuple(str(k) for k in data.get("ai_keywords") or ()),  # type: ignore[attr-defined]
            organization=str(data.get("organization") or ""),
            org_handle=str(data.get("org_handle") or ""),
            submitter=str(data.get("submitter") or ""),
            withdrawn=bool(data.get("withdrawn")),
        )


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
