"""One paper by id: `GET /api/papers/{id}`, with what only the paper's page has (the
linked models, datasets and Spaces, who added the code link).

No Textual. The answer is cached with its age under `details/` in the cache dir, read
offline, and revalidated less often as the paper ages (a paper's links settle): within an
hour while it is a week old, a day while it is two months old, a week after that.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from paperterm import jsonio
from paperterm.errors import FetchError, NotFound
from paperterm.fsutil import write_cache_file
from paperterm.model import Paper
from paperterm.scrape import ScrapeError, _dict, _int, paper_from_item, parse_date
from paperterm.text import clean_line

RepoKind = Literal["model", "dataset", "space"]
DetailStatus = Literal["ok", "not_found", "error", "missing"]
MAX_REPOS = 50
"""Linked repos kept per kind (the totals say how many there are)."""

_PREFIX: dict[RepoKind, str] = {"model": "", "dataset": "datasets/", "space": "spaces/"}
_KEYS: dict[RepoKind, tuple[str, str]] = {
    "model": ("linkedModels", "numTotalModels"),
    "dataset": ("linkedDatasets", "numTotalDatasets"),
    "space": ("linkedSpaces", "numTotalSpaces"),
}


@dataclass(frozen=True)
class LinkedRepo:
    kind: RepoKind
    id: str
    downloads: int | None = None
    likes: int | None = None

    @property
    def url(self) -> str:
        return f"https://huggingface.co/{_PREFIX[self.kind]}{self.id}"

    @property
    def figures(self) -> str:
        """`↓12,345 ♥67`: downloads and likes, whichever the site gave."""
        return " ".join(
            f
            for f in (
                f"↓{self.downloads:,}" if self.downloads is not None else "",
                f"♥{self.likes:,}" if self.likes is not None else "",
            )
            if f
        )


@dataclass(frozen=True)
class PaperDetail:
    paper: Paper
    repos: tuple[LinkedRepo, ...] = ()
    totals: tuple[tuple[RepoKind, int], ...] = ()
    code_added_by: str = ""

    def total(self, kind: RepoKind) -> int:
        return dict(self.totals).get(kind, 0)

    def to_json(self) -> dict[str, object]:
        return {
            **self.paper.to_json(),
            "code_added_by": self.code_added_by or None,
            "linked": {
                kind: {
                    "total": self.total(kind),
                    "repos": [
                        {"id": r.id, "url": r.url, "downloads": r.downloads, "likes": r.likes}
                        for r in self.repos
                        if r.kind == kind
                    ],
                }
                for kind in _KEYS
            },
        }


@dataclass(frozen=True)
class DetailResult:
    paper_id: str
    detail: PaperDetail | None
    status: DetailStatus
    fetched_at: datetime | None = None
    from_cache: bool = False
    message: str = ""


def parse_detail(body: bytes, today: date) -> PaperDetail:
    """A `/api/papers/{id}` answer: the paper's own fields at the top level."""
    raw = jsonio.loads(body)
    if not isinstance(raw, dict):
        raise ScrapeError("the paper answer is not an object")
    item = {
        "paper": raw,
        "organization": raw.get("organization"),
        "submittedBy": raw.get("submittedOnDailyBy"),
    }
    day = parse_date(raw.get("submittedOnDailyAt")) or parse_date(raw.get("publishedAt")) or today
    paper = paper_from_item(item, day)
    if paper is None:
        raise ScrapeError("the paper answer has no usable id or title")
    repos: list[LinkedRepo] = []
    totals: list[tuple[RepoKind, int]] = []
    for kind, (list_key, total_key) in _KEYS.items():
        entries = raw.get(list_key)
        kept = []
        for entry in entries[:MAX_REPOS] if isinstance(entries, list) else []:
            repo_id = clean_line(_dict(entry).get("id"), 200)
            # An id is owner/name: anything else could not be a link on the site.
            if repo_id.count("/") == 1 and " " not in repo_id and ".." not in repo_id:
                kept.append(
                    LinkedRepo(
                        kind, repo_id, _int(entry.get("downloads")), _int(entry.get("likes"))
                    )
                )
        repos += kept
        total = _int(raw.get(total_key))
        totals.append((kind, max(total if total is not None else 0, len(kept))))
    added = raw.get("githubRepoAddedBy")
    return PaperDetail(
        paper, tuple(repos), tuple(totals), clean_line(added, 100) if isinstance(added, str) else ""
    )


def fresh_for(paper_day: date, now: datetime) -> timedelta:
    age = now.date() - paper_day
    if age < timedelta(days=7):
        return timedelta(hours=1)
    if age < timedelta(days=60):
        return timedelta(days=1)
    return timedelta(days=7)


class DetailSource:
    def __init__(self, fetcher: Callable[[], Any], root: Path, *, clock: Callable[[], datetime]):
        self._fetcher = fetcher
        self.root = root
        self.clock = clock
        self.cache_problem: str | None = None

    def _path(self, paper_id: str) -> Path:
        return self.root / f"{paper_id.replace('/', '_')}.json"

    def cached(self, paper_id: str) -> DetailResult | None:
        try:
            doc = jsonio.loads(self._path(paper_id).read_bytes())
            fetched_at = datetime.fromisoformat(doc["fetched_at"])
            detail = parse_detail(json.dumps(doc["answer"]).encode(), fetched_at.date())
        except (OSError, ValueError, KeyError, TypeError, AttributeError, ScrapeError):
            return None
        if detail.paper.id != paper_id:
            return None
        return DetailResult(paper_id, detail, "ok", fetched_at, True)

    def all_papers(self) -> dict[str, Paper]:
        index: dict[str, Paper] = {}
        for path in sorted(self.root.glob("*.json")):
            result = self.cached(path.stem)
            if result is not None and result.detail is not None:
                index[result.paper_id] = result.detail.paper
        return index

    async def load(
        self, paper_id: str, *, offline: bool = False, force: bool = False
    ) -> DetailResult:
        cached = await asyncio.to_thread(self.cached, paper_id)
        if offline:
            return cached or DetailResult(
                paper_id, None, "missing", message="offline, and not in the cache"
            )
        now = self.clock()
        if (
            cached is not None
            and cached.detail is not None
            and cached.fetched_at
            and not force
            and now - cached.fetched_at < fresh_for(cached.detail.paper.day, now)
        ):
            return cached
        try:
            response = await self._fetcher().get(f"/api/papers/{paper_id}")
            detail = await asyncio.to_thread(parse_detail, response.body, now.date())
        except NotFound:
            return DetailResult(paper_id, None, "not_found", message="not on Hugging Face Papers")
        except (FetchError, ScrapeError) as error:
            if cached is not None:
                return DetailResult(
                    paper_id, cached.detail, "ok", cached.fetched_at, True, message=str(error)
                )
            return DetailResult(paper_id, None, "error", message=str(error))
        if detail.paper.id != paper_id:
            return DetailResult(
                paper_id, None, "error", message=f"the site answered {detail.paper.id}"
            )
        problem = await asyncio.to_thread(self.store, paper_id, response.body, now)
        if problem:
            self.cache_problem = problem
        return DetailResult(paper_id, detail, "ok", now)

    def store(self, paper_id: str, body: bytes, now: datetime) -> str | None:
        """Keep an answer with the time it was fetched; why it could not be, or None."""
        doc = {"fetched_at": now.isoformat(), "answer": json.loads(body)}
        return write_cache_file(self._path(paper_id), json.dumps(doc, ensure_ascii=False).encode())
