"""The feeds besides the days, from scripts: `paperterm search QUERY` and
`paperterm list --week W | --month M | --trending | --starred`.

The same sources as the reader (`lists.ListSource`, the state and the cache), printed one
paper a line, or as one JSON array with `--json`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from paperterm.library import DayResult, Library, describe_age
from paperterm.lists import (
    NOT_CACHED,
    ListResult,
    ListSpec,
    PeriodError,
    month_start,
    starred_papers,
    week_start,
)
from paperterm.model import Paper, by_votes_key
from paperterm.state import StateStore
from paperterm.text import plural

if TYPE_CHECKING:
    from datetime import datetime

    from paperterm.detail import PaperDetail

EXIT_FAILURE = 1


def add_feed_args(p_list: argparse.ArgumentParser) -> None:
    feed = p_list.add_mutually_exclusive_group()
    feed.add_argument("--week", metavar="YYYY-Www", help="a week's papers, top first")
    feed.add_argument("--month", metavar="YYYY-MM", help="a month's papers, top first")
    feed.add_argument("--trending", action="store_true", help="trending now (GitHub stars)")
    feed.add_argument("--starred", action="store_true", help="every starred paper, offline")


def wants_feed(args: argparse.Namespace) -> bool:
    return bool(args.week or args.month or args.trending or args.starred)


def spec_of(args: argparse.Namespace) -> ListSpec:
    """The list asked for; a badly written week or month is a one-line error."""
    if args.week:
        week_start(args.week)
        return ListSpec("week", args.week.strip())
    if args.month:
        month_start(args.month)
        return ListSpec("month", args.month.strip())
    return ListSpec("trending")


async def cmd_list_feed(args: argparse.Namespace, library: Library, store: StateStore) -> int:
    if args.starred:
        import asyncio

        def read() -> tuple[Paper, ...]:
            return starred_papers(store, library.known_papers())

        papers = await asyncio.to_thread(read)
        missing = sum(1 for p in papers if p.title.startswith(NOT_CACHED))
        if missing:
            print(f"paperterm: {plural(missing, 'starred paper')} not cached", file=sys.stderr)
        _print(papers, store, args.json, f"Starred · {plural(len(papers), 'paper')}")
        return 0
    try:
        spec = spec_of(args)
    except PeriodError as error:
        print(f"paperterm: {error}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        result = await library.lists.load(spec, offline=args.offline)
    finally:
        await library.aclose()
    return _report(result, store, args.json, library)


async def cmd_search(args: argparse.Namespace, library: Library, store: StateStore) -> int:
    query = " ".join(args.query).strip()
    if not query:
        print("paperterm: search for what? (paperterm search LoRA)", file=sys.stderr)
        return EXIT_FAILURE
    try:
        result = await library.lists.load(ListSpec("search", query), offline=args.offline)
    finally:
        await library.aclose()
    if args.limit:
        result = ListResult(
            result.spec,
            result.papers[: args.limit],
            result.status,
            result.fetched_at,
            result.from_cache,
            result.message,
            result.note,
        )
    return _report(result, store, args.json, library)


def _report(result: ListResult, store: StateStore, as_json: bool, library: Library) -> int:
    if result.message:
        shown = "; the cached answer is shown" if result.papers else ""
        print(f"paperterm: {result.spec.title}: {result.message}{shown}", file=sys.stderr)
    if result.note:
        print(f"paperterm: {result.note}", file=sys.stderr)
    age = "fresh"
    if result.from_cache and result.fetched_at is not None:
        age = describe_age(library.clock() - result.fetched_at)
    if result.status in ("error", "missing"):
        return EXIT_FAILURE
    header = f"{result.spec.title} · {plural(len(result.papers), 'paper')} · {age}"
    papers = result.papers
    if result.spec.kind in ("week", "month"):
        papers = tuple(by_votes(papers))
    _print(papers, store, as_json, header)
    return 0


def with_marks(record: dict[str, object], paper_id: str, store: StateStore) -> dict[str, object]:
    """A paper's JSON record with the user's read and starred marks added."""
    record["read"], record["starred"] = store.marks(paper_id)
    return record


def dump_json(value: object) -> None:
    from paperterm.jsonio import write_pretty

    write_pretty(value, sys.stdout)


def dump_papers_json(papers: Iterable[Paper], store: StateStore) -> None:
    """Papers as a JSON array of their records with the user's marks, each made as it is
    written."""
    from paperterm.jsonio import write_pretty_items

    write_pretty_items((with_marks(p.to_json(), p.id, store) for p in papers), sys.stdout)


class DaysJson:
    """Days' papers written to stdout as one JSON array as the days come, each day's best
    voted first, its records made and written together: a day served from the cache as
    its records (`DayResult.records`) is copied, not made into Papers and back."""

    def __init__(self, store: StateStore) -> None:
        from paperterm.jsonio import PrettyArray

        self.store = store
        self.array = PrettyArray()
        sys.stdout.flush()  # what was written as text goes first
        self.out = sys.stdout.buffer
        self.out.write(self.array.start())

    def write(self, result: DayResult) -> None:
        if result.records:
            # `by_votes_key`, read off the records
            batch = sorted(result.records, key=lambda r: (-r["upvotes"], r["title"].casefold()))
        else:
            batch = [p.to_json() for p in by_votes(result.papers)]
        for record, (read, starred) in zip(
            batch, self.store.marks_of(r["id"] for r in batch), strict=True
        ):
            record["read"], record["starred"] = read, starred
        self.out.write(self.array.piece(batch))

    def close(self) -> None:
        self.out.write(self.array.end())
        self.out.flush()


def by_votes(papers: Iterable[Paper]) -> list[Paper]:
    """A day's papers as the list shows them (`by_votes_key`)."""
    return sorted(papers, key=by_votes_key)


def paper_line(paper: Paper, store: StateStore, when: str = "") -> str:
    """One paper a line: ★ starred, • unread, upvotes, ⌥ code, id, (a date,) title."""
    star = "★" if store.is_starred(paper.id) else " "
    mark = " " if store.is_read(paper.id) else "•"
    code = "⌥" if paper.github else " "
    dated = f"{when}  " if when else ""
    return f" {star}{mark} {paper.upvotes:>4} {code} {paper.id:<12} {dated}{paper.title}"


def _print(papers: Iterable[Paper], store: StateStore, as_json: bool, header: str) -> None:
    papers = list(papers)
    if as_json:
        dump_papers_json(papers, store)
        return
    print(header)
    for paper in papers:
        when = f"{paper.published:%Y-%m}" if paper.published else f"{paper.day:%Y-%m}"
        print(paper_line(paper, store, when))


EXIT_NOTHING_NEW = 1
"""`paperterm topics`: 0 when a topic has new papers, 1 when none has (cron can tell),
2 when a topic could not be checked at all."""
EXIT_CHECK_FAILED = 2


async def cmd_topics(args: argparse.Namespace, library: Library) -> int:
    from paperterm.topics import open_topics

    store = open_topics(library.config).load()
    if store.problem:
        print(f"paperterm: {store.problem}", file=sys.stderr)
    try:
        results = await store.check(library.lists, offline=args.offline)
    finally:
        await library.aclose()
    failed = False
    rows = []
    for topic, result in zip(store.topics, results, strict=True):
        if result.message:
            print(f"paperterm: topic {topic.name}: {result.message}", file=sys.stderr)
        failed |= result.status in ("error", "missing")
        new = store.counts.get(topic.name)
        rows.append(
            {
                "name": topic.name,
                "query": topic.query,
                "new": new,
                "papers": len(result.papers),
                "looked": topic.looked.isoformat() if topic.looked else None,
            }
        )
    if args.json:
        dump_json(rows)
    elif not rows:
        print("No topics yet: F searches in the reader and T saves the search as one;")
        print("or add [[topic]] name = ... query = ... to the config.")
    else:
        for row in rows:
            count = "?" if row["new"] is None else str(row["new"])
            print(f"{row['name']:<24} {count:>4} new  {row['papers']:>4} papers  {row['query']}")
    if any(row["new"] for row in rows):
        return 0
    return EXIT_CHECK_FAILED if failed else EXIT_NOTHING_NEW


def _told_changes(detail: PaperDetail, fetched_at: datetime | None, store: StateStore) -> str:
    """A starred paper's page was read: what changed since it was last looked at, which is
    now looked at (as the reader's page does)."""
    from datetime import UTC, datetime

    from paperterm.watch import open_watch, summary_text

    watch = open_watch().load()
    told = summary_text(watch.page_read(detail, fetched_at, datetime.now(UTC)))
    try:
        watch.save()
    except OSError as error:
        print(f"paperterm: what the paper showed is not kept: {error}", file=sys.stderr)
    return told


async def look_up(library: Library, paper_id: str, *, offline: bool) -> str | None:
    """Ask the site about an id no cache holds; why it cannot be used, or None."""
    try:
        result = await library.details.load(paper_id, offline=offline)
    finally:
        await library.aclose()
    if result.detail is not None:
        return None
    if result.status == "not_found":
        return f"{paper_id} is not on Hugging Face Papers"
    if result.status == "missing":
        return f"{paper_id} is not in the cache, and offline it could not be checked"
    return f"{paper_id} could not be checked ({result.message})"


async def cmd_show(
    args: argparse.Namespace, library: Library, store: StateStore, paper_id: str
) -> int:
    try:
        result = await library.details.load(paper_id, offline=args.offline)
    finally:
        await library.aclose()
    detail = result.detail
    if detail is None:
        problem = {
            "not_found": f"{paper_id} is not on Hugging Face Papers",
            "missing": f"{paper_id}: offline, and not in the cache",
        }.get(result.status, f"{paper_id} could not be loaded ({result.message})")
        print(f"paperterm: {problem}", file=sys.stderr)
        return EXIT_FAILURE
    if result.message:
        print(f"paperterm: {result.message}; the cached detail is shown", file=sys.stderr)
    paper = detail.paper
    changes = _told_changes(detail, result.fetched_at, store) if store.is_starred(paper.id) else ""
    if args.json:
        dump_json({**with_marks(detail.to_json(), paper.id, store), "changed": changes or None})
        return 0
    age = "fresh"
    if result.from_cache and result.fetched_at is not None:
        age = describe_age(library.clock() - result.fetched_at)
    marks = " ".join(
        m
        for m, on in (("★ starred", store.is_starred(paper.id)), ("read", store.is_read(paper.id)))
        if on
    )
    lines = [
        paper.title,
        f"{paper.id} · {plural(paper.upvotes, 'upvote')} · {plural(paper.comments, 'comment')}"
        f" · feed day {paper.day:%a %Y-%m-%d} · {age}" + (f" · {marks}" if marks else ""),
        f"Authors   {', '.join(paper.authors[:12])}"
        + (f" and {paper.author_count - 12} more" if paper.author_count > 12 else ""),
    ]
    if changes:
        lines.append(f"Changed   {changes} (since you last looked)")
    if paper.organization:
        lines.append(f"Org       {paper.organization}")
    if paper.submitter:
        lines.append(f"Submitter {paper.submitter}")
    if paper.github:
        stars = f"  ★{paper.github_stars:,}" if paper.github_stars is not None else ""
        added = f"  (added by {detail.code_added_by})" if detail.code_added_by else ""
        lines.append(f"Code      {paper.github}{stars}{added}")
    if paper.project_page:
        lines.append(f"Project   {paper.project_page}")
    for kind in ("model", "dataset", "space"):
        total = detail.total(kind)
        if not total:
            continue
        lines.append(f"{plural(total, kind).capitalize():<10}")
        for repo in (r for r in detail.repos if r.kind == kind):
            lines.append(f"  {repo.url}  {repo.figures}")
    lines += [f"Links     {paper.hf_url}  {paper.arxiv_url}  {paper.pdf_url}"]
    if paper.ai_summary:
        lines += ["", "AI summary", paper.ai_summary]
    if paper.abstract:
        lines += ["", "Abstract", paper.abstract]
    print("\n".join(lines))
    return 0


async def cmd_changes(args: argparse.Namespace, library: Library, store: StateStore) -> int:
    """What changed on the site for the starred papers: those not yet looked at in the
    reader, or every change seen since `--since`. Checks the site first (the budget of
    requests; none with --offline). Exit 0: changes, 1: none, 2: the site could not be
    asked about any paper."""
    from paperterm.watch import open_watch, summary_text

    watch = open_watch().load()
    if watch.problem:
        print(f"paperterm: {watch.problem}", file=sys.stderr)
    starred = sorted(store.starred_ids)
    budget = args.budget if args.budget is not None else library.config.watch_budget
    failed = False
    if starred and budget and not args.offline:
        try:
            report = await watch.check(library.details, starred, budget=budget)
        finally:
            await library.aclose()
        watch.save()
        for paper_id, why in report.failed:
            print(f"paperterm: {paper_id}: {why}", file=sys.stderr)
        for paper_id in report.not_found:
            print(f"paperterm: {paper_id} is no longer on Hugging Face Papers", file=sys.stderr)
        failed = bool(report.asked) and len(report.failed) + len(report.not_found) == report.asked
    if args.since is not None:
        found = watch.since(starred, args.since)
    else:
        found = {i: watch.pending(i) for i in watch.changed_ids(starred)}
    known = library.known_papers() if found else {}
    rows = []
    for paper_id, changes in found.items():
        paper = known.get(paper_id)
        rows.append(
            {
                "id": paper_id,
                "title": paper.title if paper else None,
                "hf_url": f"https://huggingface.co/papers/{paper_id}",
                "summary": summary_text(changes),
                "changes": [
                    {"kind": c.kind, "amount": c.amount, "at": c.at.isoformat(), "label": c.label}
                    for c in changes
                ],
            }
        )
    if args.json:
        dump_json(rows)
    elif not rows:
        since = f" since {args.since}" if args.since else " since you last looked"
        print(f"No changes to the starred papers{since}.")
    else:
        for row in rows:
            title = row["title"] or f"{NOT_CACHED} {row['id']}"
            print(f"{row['id']:<11} {row['summary']:<36} {title}")
    if rows:
        return 0
    return EXIT_CHECK_FAILED if failed else EXIT_NOTHING_NEW
