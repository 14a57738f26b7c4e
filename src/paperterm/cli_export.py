"""`paperterm export`: the starred papers, a feed, some days or a search, narrowed by the
filter's query language, as BibTeX, Markdown, JSON or CSV, to stdout or atomically to a
file (`-o`): a reader of the file sees the old one or the whole new one, never half."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from paperterm import gcpolicy
from paperterm.export import FORMATS, export_chunks
from paperterm.library import Library
from paperterm.lists import ListSpec, month_of, starred_papers, week_of
from paperterm.model import Paper
from paperterm.state import StateStore

if TYPE_CHECKING:
    from paperterm.query import Query

EXIT_FAILURE = 1


def add_export_parser(sub: Any) -> None:
    from paperterm.cli import parse_day, positive

    p = sub.add_parser("export", help="papers as BibTeX, Markdown, JSON or CSV")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--starred", action="store_true", help="every starred paper")
    source.add_argument(
        "--feed", choices=("days", "week", "month", "trending"), help="this week, month, ..."
    )
    source.add_argument("--search", metavar="QUERY", help="a search of the site")
    p.add_argument("--date", type=parse_day, help="days: the last day (YYYY-MM-DD)")
    p.add_argument("--days", type=positive, help="days: how many, ending at --date")
    p.add_argument("--query", metavar="Q", help='only those matching, e.g. "has:code upvotes:>=20"')
    p.add_argument("--format", choices=FORMATS, default="bibtex")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically)")
    p.add_argument("--offline", action="store_true", help="the cache only")


async def gather(
    args: argparse.Namespace, library: Library, store: StateStore
) -> tuple[list[Paper], str]:
    """The papers asked for, and a title for them."""
    if args.starred:
        starred = await asyncio.to_thread(lambda: starred_papers(store, library.known_papers()))
        return list(starred), "Starred papers"
    if args.search or args.feed in ("week", "month", "trending"):
        today = library.clock().date()
        if args.search:
            spec = ListSpec("search", args.search)
        elif args.feed == "week":
            spec = ListSpec("week", week_of(today))
        elif args.feed == "month":
            spec = ListSpec("month", month_of(today))
        else:
            spec = ListSpec("trending")
        result = await library.lists.load(spec, offline=args.offline)
        if result.message:
            print(f"paperterm: {spec.title}: {result.message}", file=sys.stderr)
        return list(result.papers), spec.title
    from paperterm.cli import _load_range

    results = await _load_range(library, args, args.offline)
    from paperterm.cli_feeds import by_votes

    papers = [p for r in results for p in by_votes(r.papers)]
    days = [r.day for r in results if r.papers]
    title = f"Papers of {_span(days)}" if days else "Papers"
    return papers, title


def _span(days: list[date]) -> str:
    first, last = min(days), max(days)
    return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"


async def cmd_export(args: argparse.Namespace, library: Library, store: StateStore) -> int:
    from paperterm.query import QueryError, parse_query

    try:
        query = parse_query(args.query) if args.query else None
    except QueryError as error:
        print(f"paperterm: --query: {error}", file=sys.stderr)
        return EXIT_FAILURE
    with gcpolicy.paused():
        return await _export(args, library, store, query)


async def _export(
    args: argparse.Namespace, library: Library, store: StateStore, query: Query | None
) -> int:
    try:
        papers, title = await gather(args, library, store)
    finally:
        await library.aclose()
    if query is not None:
        from paperterm import paths
        from paperterm.seen import SeenStore
        from paperterm.session import Flags

        flags = Flags(store, SeenStore(paths.data_dir() / "seen.json"))
        papers = [p for p in papers if query.matches(p, flags)]
        title += f" matching {args.query}"
    # Written as it is made: a hundred thousand papers are never held whole as text.
    chunks = export_chunks(args.format, papers, store, title)
    if args.output:
        from pathlib import Path

        from paperterm.fsutil import atomic_write_chunks

        atomic_write_chunks(Path(args.output), (chunk.encode() for chunk in chunks))
        print(f"paperterm: wrote {len(papers)} papers to {args.output}", file=sys.stderr)
    else:
        sys.stdout.writelines(chunks)
    return 0


EXIT_NOTHING_NEW = 1
EXIT_CHECK_FAILED = 2


def add_digest_parser(sub: Any) -> None:
    p = sub.add_parser(
        "digest", help="papers new since the last digest, for cron (exit 0 new, 1 nothing new)"
    )
    p.add_argument(
        "--since-last-run",
        action="store_true",
        help="only papers no earlier run printed (and remember this run)",
    )
    p.add_argument("--feed", choices=("days", "week", "month", "trending"), default="days")
    p.add_argument("--min-upvotes", type=int, default=0, metavar="N")
    p.add_argument("--format", choices=("md", "json"), default="md")
    p.add_argument("--offline", action="store_true", help="the cache only")


async def cmd_digest(args: argparse.Namespace, library: Library, store: StateStore) -> int:
    """Exit 0: new papers printed; 1: nothing new; 2: nothing could be loaded."""
    from paperterm.digest import Digest, as_json, markdown, open_digest

    record = open_digest().load()
    if record.problem:
        print(f"paperterm: {record.problem}", file=sys.stderr)
    now = library.clock()
    days = library.config.days
    if record.last_run is not None:
        days = max(days, min((now.date() - record.last_run.date()).days + 1, 14))
    source = argparse.Namespace(
        starred=False,
        search=None,
        feed=None if args.feed == "days" else args.feed,
        date=None,
        days=days,
        offline=args.offline,
    )
    try:
        papers, title = await gather(source, library, store)
    finally:
        await library.aclose()
    if not papers:
        print("paperterm: no papers could be loaded for the digest", file=sys.stderr)
        return EXIT_CHECK_FAILED
    if args.since_last_run:
        digest = record.digest(papers, min_upvotes=args.min_upvotes)
    else:
        kept = [p for p in papers if p.upvotes >= args.min_upvotes]
        digest = Digest(sorted(kept, key=lambda p: -p.upvotes), [], record.last_run)
    if digest.empty:
        since = f" since {record.last_run:%Y-%m-%d %H:%M}" if record.last_run else ""
        print(f"Nothing new{since}.", file=sys.stderr)
        return EXIT_NOTHING_NEW
    sys.stdout.write(as_json(digest) if args.format == "json" else markdown(digest, title))
    sys.stdout.flush()
    if args.since_last_run:
        record.record(digest, now)
    return 0
