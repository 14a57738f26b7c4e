"""Command line: `paperterm` (the reader) and the scriptable subcommands.

Every failure a user can cause (a malformed date, an unknown id, an unwritable directory, a
site that is down) ends in one line on stderr and a non-zero exit, never a traceback.

Over 400 lines because every command's arguments are parsed here, in one parser, so
`--help` and the error messages read as one program; the feed commands' bodies are in
`cli_feeds.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from paperterm import __version__, paths

if TYPE_CHECKING:  # the commands import what they need when they run: start-up stays light
    from paperterm.library import DayResult, Library
    from paperterm.state import StateStore

EXIT_USAGE = 2
EXIT_FAILURE = 1


class CliError(Exception):
    """A one-line error for the user."""


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from None


MAX_DAYS = 36_500
"""A bound that catches a typo, not a cap on history: a heavy user's years of days (and
the benchmark's 10x corpus, 22 years of them) fit well inside."""


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_DAYS:,}, not {value}")
    return value


def normalise_id(text: str) -> str:
    """Accept `2407.21783`, `arXiv:2407.21783`, a versioned id, or an HF/arXiv URL."""
    from paperterm.model import PaperIdError, parse_paper_id

    try:
        return parse_paper_id(text)
    except PaperIdError as error:
        raise CliError(str(error)) from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One line, not argparse's usage block: the usage is one `--help` away.
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="paperterm",
        description="A terminal reader for the Hugging Face Daily Papers feed.",
    )
    parser.add_argument("--version", action="version", version=f"paperterm {__version__}")

    def range_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--date", type=parse_day, help="last day to show (YYYY-MM-DD)")
        p.add_argument("--days", type=positive, help="how many days, ending at --date")
        p.add_argument("--offline", action="store_true", help="read the cache only")

    range_args(parser)
    parser.add_argument(
        "--feed",
        choices=("days", "week", "month", "trending", "starred"),
        help="the feed to open on (default: the config's start_feed, else days)",
    )
    parser.add_argument("--search", metavar="QUERY", help="open on a search of the site")
    parser.add_argument("--topic", metavar="NAME", help="open on a saved topic")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    p_list = sub.add_parser("list", help="print the papers of some days")
    range_args(p_list)
    p_list.add_argument("--json", action="store_true", help="one JSON array on stdout")
    from paperterm.cli_feeds import add_feed_args

    add_feed_args(p_list)
    p_search = sub.add_parser("search", help="search the site for papers of any year")
    p_search.add_argument("query", nargs="+", help="what to search for")
    p_search.add_argument("--json", action="store_true", help="one JSON array on stdout")
    p_search.add_argument("--limit", type=positive, help="at most this many papers")
    p_search.add_argument("--offline", action="store_true", help="the cached answer only")
    p_topics = sub.add_parser(
        "topics", help="the saved topics and their new papers (exit 0: new, 1: nothing new)"
    )
    p_topics.add_argument("--json", action="store_true", help="one JSON array on stdout")
    p_topics.add_argument("--offline", action="store_true", help="the cached answers only")
    p_fetch = sub.add_parser("fetch", help="fill the cache for offline reading")
    p_fetch.add_argument("--date", type=parse_day, help="last day to fetch (YYYY-MM-DD)")
    p_fetch.add_argument("--days", type=positive, help="how many days, ending at --date")
    p_fetch.add_argument("--force", action="store_true", help="refetch even fresh days")
    p_keys = sub.add_parser("keys", help="print the key bindings in force")
    p_keys.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    p_config = sub.add_parser("config", help="print the settings in force and where they came from")
    p_config.add_argument(
        "--check", action="store_true", help="only say what is wrong (exit 1 if anything is)"
    )
    p_config.add_argument(
        "--init", action="store_true", help="write a commented config.toml with every setting"
    )
    p_config.add_argument(
        "--force",
        action="store_true",
        help="with --init: replace an existing config (kept as .bak)",
    )
    for name, text in (
        ("star", "star a paper"),
        ("unstar", "remove a paper's star"),
        ("read", "mark a paper read"),
        ("unread", "mark a paper unread"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("ids", nargs="+", metavar="ID", help="arXiv id or paper URL")
        p.add_argument(
            "--offline", action="store_true", help="do not ask the site about unknown ids"
        )
    p_changes = sub.add_parser(
        "changes",
        help="what changed on the site for starred papers (exit 0: changes, 1: none)",
    )
    p_changes.add_argument("--json", action="store_true", help="one JSON array on stdout")
    p_changes.add_argument(
        "--since", type=parse_day, help="every change seen on or after this day (YYYY-MM-DD)"
    )
    p_changes.add_argument(
        "--budget", type=int, help="ask the site about at most this many papers (config: 10)"
    )
    p_changes.add_argument("--offline", action="store_true", help="what was last seen only")
    from paperterm.cli_export import add_digest_parser, add_export_parser

    add_export_parser(sub)
    add_digest_parser(sub)
    p_show = sub.add_parser("show", help="print one paper's page: detail and linked repos")
    p_show.add_argument("id", metavar="ID", help="arXiv id or paper URL")
    p_show.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p_show.add_argument("--offline", action="store_true", help="the cached detail only")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except BrokenPipeError:
        # `paperterm list | head`: the reader of our output has gone; end quietly, and keep
        # Python from complaining about the closed stdout at exit.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 0


def _dispatch(args: argparse.Namespace) -> int:
    try:
        if args.command is None:
            return run_reader(args)
        if args.command == "list":
            return asyncio.run(cmd_list(args))
        if args.command == "show":
            from paperterm.cli_feeds import cmd_show

            return asyncio.run(cmd_show(args, _library(), _state(), normalise_id(args.id)))
        if args.command in ("export", "digest"):
            from paperterm.cli_export import cmd_digest, cmd_export

            command = cmd_export if args.command == "export" else cmd_digest
            return asyncio.run(command(args, _library(), _state()))
        if args.command == "changes":
            from paperterm.cli_feeds import cmd_changes

            return asyncio.run(cmd_changes(args, _library(), _state()))
        if args.command == "topics":
            from paperterm.cli_feeds import cmd_topics

            return asyncio.run(cmd_topics(args, _library()))
        if args.command == "search":
            from paperterm.cli_feeds import cmd_search

            return asyncio.run(cmd_search(args, _library(), _state()))
        if args.command == "fetch":
            return asyncio.run(cmd_fetch(args))
        if args.command == "keys":
            return cmd_keys(args)
        if args.command == "config":
            return cmd_config(args)
        return cmd_state(args)
    except CliError as error:
        print(f"paperterm: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("paperterm: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise
    except OSError as error:
        from paperterm.fsutil import describe_os_error

        print(f"paperterm: {describe_os_error(error)}", file=sys.stderr)
        return EXIT_FAILURE


def _library() -> Library:
    from paperterm.config import load_config
    from paperterm.library import Library

    config = load_config()
    for problem in config.problems:
        print(f"paperterm: {problem}", file=sys.stderr)
    return Library(config)


def _state() -> StateStore:
    from paperterm.state import StateStore

    store = StateStore(paths.state_file()).load()
    from paperterm.startup import merge_state_copies

    for message in merge_state_copies(store):
        print(f"paperterm: {message}", file=sys.stderr)

    def say_warnings() -> None:
        for warning in store.new_warnings():
            print(f"paperterm: {warning}", file=sys.stderr)

    say_warnings()
    # A month of the state is read when a command first asks about one of its papers:
    # what that finds (a damaged month, its backup used) is said when the command ends.
    atexit.register(say_warnings)
    return store


async def _load_range(
    library: Library, args: argparse.Namespace, offline: bool, **kw: Any
) -> list[DayResult]:
    """The days `--date`/`--days` name: `--days` counts days with papers, ending at --date
    (or the site's newest day with papers). A date that can have none is an error."""
    end, count = await _day_range(library, args, offline)
    return await library.load_range(
        end, count, offline=offline, deadline=library.config.command_deadline, **kw
    )


async def _day_range(library: Library, args: argparse.Namespace, offline: bool) -> tuple[date, int]:
    """The newest day and the count of days with papers that `--date`/`--days` name."""
    from paperterm.library import DayRangeError

    if args.date is not None:
        try:
            await library.check_day(args.date, offline=offline)
        except DayRangeError as error:
            raise CliError(str(error)) from None
    end = args.date or await library.latest_day(offline=offline)
    return end, args.days or library.config.days


def _say_problems(library: Library, results: list[DayResult]) -> bool:
    """Each day's problem once on stderr (missing days summed up); True if a day failed."""
    failed = False
    missing = [r.day for r in results if r.status == "missing"]
    for result in results:
        if result.message and result.status != "missing":
            print(f"paperterm: {result.day}: {result.message}", file=sys.stderr)
        failed |= result.status == "error"
    if missing:
        if len(missing) <= 5:
            names = ", ".join(d.isoformat() for d in missing)
        else:
            names = f"{len(missing)} days, {min(missing)} to {max(missing)}"
        print(f"paperterm: not in the cache: {names}", file=sys.stderr)
    problem = library.take_cache_problem()
    if problem:
        print(f"paperterm: {problem}", file=sys.stderr)
    return failed


async def cmd_list(args: argparse.Namespace) -> int:
    from paperterm import gcpolicy
    from paperterm.cli_feeds import cmd_list_feed, wants_feed

    library = _library()
    store = _state()
    if wants_feed(args):
        if args.date or args.days:
            raise CliError("--date and --days are for days, not --week, --month, ...")
        return await cmd_list_feed(args, library, store)
    with gcpolicy.paused():
        return await _list_days(args, library, store)


LIST_WINDOW = 32
"""Days `list` loads ahead of what it has written: enough to keep the fetcher's four
connections (or the cache's reads) busy, few enough that years of days are never held
(`list --json` of 98.8k papers held them all: 500 MB and a second of page faults)."""


async def _list_days(args: argparse.Namespace, library: Library, store: StateStore) -> int:
    from dataclasses import replace

    from paperterm.cli_feeds import DaysJson, by_votes, paper_line
    from paperterm.library import describe_age
    from paperterm.text import plural

    # JSON copies cached days' records as they are; lines need no abstracts.
    shape: dict[str, Any] = {"records": True} if args.json else {"brief": _every_day}
    given: list[DayResult] = []  # each day written, less its papers: for the notes after
    with_papers = False
    empty_date: date | None = None  # --date named a day with none: said with the next
    writer: DaysJson | None = None
    now = library.clock()
    try:
        end, count = await _day_range(library, args, args.offline)
        if args.json:
            writer = DaysJson(store)
        async for result in library.iter_range(
            end,
            count,
            offline=args.offline,
            deadline=library.config.command_deadline,
            window=LIST_WINDOW,
            **shape,
        ):
            if not given and result.day == args.date and result.status == "empty":
                empty_date = result.day
            given.append(replace(result, papers=(), records=()))
            if not result.has_papers:
                continue
            if empty_date is not None:
                _say_empty(empty_date, result.day)
                empty_date = None
            with_papers = True
            if writer is not None:
                writer.write(result)
                continue
            age = describe_age(result.age(now)) if result.from_cache else "fresh"
            print(f"{result.day:%a %Y-%m-%d} · {plural(len(result.papers), 'paper')} · {age}")
            for paper in by_votes(result.papers):
                print(paper_line(paper, store))
    finally:
        await library.aclose()
    if empty_date is not None:
        _say_empty(empty_date, None)
    if writer is not None:
        writer.close()
    failed = _say_problems(library, given)
    sys.stdout.flush()
    if failed and not with_papers:
        return EXIT_FAILURE
    return 0


def _say_empty(day: date, before: date | None) -> None:
    where = f"; the day before it with papers is {before:%a %Y-%m-%d}" if before else ""
    print(f"paperterm: {day:%a %Y-%m-%d} has no papers{where}", file=sys.stderr)


def _every_day(day: date) -> bool:
    return True


async def cmd_fetch(args: argparse.Namespace) -> int:

    library = _library()
    tty = sys.stderr.isatty()
    done = 0
    errors = 0
    try:

        def progress(result: DayResult) -> None:
            nonlocal done, errors
            done += 1
            if result.status == "ok":
                what = f"{len(result.papers)} papers"
            elif result.status == "empty":
                what = "no papers"
            else:
                what = result.status
            if result.message:
                what += f" ({result.message})"
            errors += result.status == "error"
            line = f"[{done}] {result.day} {what}"
            if tty:
                print(f"\r\x1b[2K{line}", end="", file=sys.stderr)
            else:
                print(line, file=sys.stderr)

        results = await _load_range(library, args, False, force=args.force, on_result=progress)
    finally:
        await library.aclose()
    if tty and done:
        print(file=sys.stderr)
    problem = library.take_cache_problem()
    if problem:
        print(f"paperterm: {problem}", file=sys.stderr)
        return EXIT_FAILURE  # filling the cache is all `fetch` is for
    from paperterm.text import plural

    days_with = sum(1 for r in results if r.papers)
    print(f"paperterm: cached {plural(days_with, 'day')} with papers", file=sys.stderr)
    return EXIT_FAILURE if errors else 0


def cmd_state(args: argparse.Namespace) -> int:
    library = _library()
    store = _state()
    if store.read_only:
        raise CliError(f"{store.path} is read-only; nothing changed")
    from paperterm.seen import SeenStore
    from paperterm.session import ReadingSession

    # The same rules as the reader's keys (the seen store is not read: nothing here is new).
    session = ReadingSession(store, SeenStore(paths.data_dir() / "seen.json"), library.config)
    stars: list[str] = []
    for raw in args.ids:
        pid = normalise_id(raw)
        if library.find_paper(pid) is None:
            # The site knows every paper by id: ask it, and keep the answer (Starred
            # shows the paper from it).
            from paperterm.cli_feeds import look_up

            problem = asyncio.run(look_up(library, pid, offline=args.offline))
            if problem:
                raise CliError(f"{raw}: {problem}; nothing changed")
        if args.command in ("star", "unstar"):
            if session.set_starred(pid, args.command == "star"):
                stars.append(pid)
        else:
            session.set_read(pid, args.command == "read")
    if not store.save():
        raise CliError(store.save_error or "could not save state")
    if stars:
        _watch_stars(library, stars, args.command == "star")
    return 0


def _watch_stars(library: Library, paper_ids: list[str], starred: bool) -> None:
    """Changes to a paper are told from what it showed when it was starred."""
    from datetime import UTC, datetime

    from paperterm.watch import open_watch

    watch = open_watch().load()
    now = datetime.now(UTC)
    for paper_id in paper_ids:
        if not starred:
            watch.unstarred(paper_id)
        elif (paper := library.find_paper(paper_id)) is not None:
            watch.starred(paper, now)
    try:
        watch.save()
    except OSError as error:
        print(f"paperterm: the star is saved, what it shows is not: {error}", file=sys.stderr)


def run_reader(args: argparse.Namespace) -> int:
    from paperterm import gcpolicy

    gcpolicy.quiet()  # before the UI's imports, most of what start-up allocates
    if args.date is not None:
        _check_reader_date(args.date)
    from paperterm.app import run_app

    return run_app(
        date=args.date,
        days=args.days,
        offline=args.offline,
        feed=args.feed,
        search=args.search,
        topic=args.topic,
    )


def _check_reader_date(day: date) -> None:
    """The reader's --date gets list's one-line message, before any screen is drawn. The
    newest day is named from the cache: the reader must not wait on the network to say it."""
    from datetime import UTC, datetime

    from paperterm.library import FEED_START

    if FEED_START <= day <= datetime.now(UTC).date():
        return  # the usual case costs the start-up nothing
    from paperterm.config import load_config
    from paperterm.library import DayRangeError, Library

    library = Library(load_config())
    try:
        asyncio.run(library.check_day(day, offline=True))
    except DayRangeError as error:
        raise CliError(str(error)) from None


def cmd_keys(args: argparse.Namespace) -> int:
    """The bindings in force, remaps applied, in the reader's own table order."""
    from paperterm import keys
    from paperterm.config import load_config

    config = load_config()
    in_force = keys.resolve(config.keys)
    for problem in in_force.problems:
        print(f"paperterm: {problem}", file=sys.stderr)
    rows = [
        {
            "id": spec.id,
            "keys": in_force.shown(spec.id),
            "textual_keys": in_force.keys[spec.id],
            "default": spec.keys,
            "remapped": spec.id in in_force.remapped,
            "group": spec.group,
            "description": spec.help,
        }
        for spec in keys.TABLE
    ]
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif args.format == "markdown":
        print("| keys | id | what it does |\n|---|---|---|")
        for row in rows:
            shown = " ".join(f"`{k}`" for k in str(row["keys"]).split())
            print(f"| {shown} | `{row['id']}` | {row['description']} |")
    else:
        width = max(len(str(r["keys"])) for r in rows)
        group = ""
        for row in rows:
            if row["group"] != group:
                group = str(row["group"])
                print(f"{group}:")
            mark = " *" if row["remapped"] else ""
            print(f"  {row['keys']:<{width}}  {row['id']:<16} {row['description']}{mark}")
        if in_force.remapped:
            print("* remapped in the config")
    return EXIT_FAILURE if in_force.problems else 0


def _init_config(*, force: bool) -> int:
    import shutil

    from paperterm.config import default_config_text
    from paperterm.fsutil import atomic_write

    path = paths.config_file()
    if path.exists() and not force:
        raise CliError(f"{path} exists; it is left as it is (--force replaces it, kept as .bak)")
    if path.exists():
        shutil.copyfile(path, path.with_name(path.name + ".bak"))
    atomic_write(path, default_config_text().encode())
    print(f"wrote {path}")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    """Each file's path, and each setting in force with where it came from."""
    from paperterm import keys
    from paperterm.config import SETTINGS, load_config

    if args.init:
        return _init_config(force=args.force)
    config = load_config()
    problems = [*config.problems, *keys.resolve(config.keys).problems]
    if not args.check:
        exists = "" if config.path and config.path.exists() else " (not there: defaults)"
        print(f"config file   {config.path}{exists}")
        print(f"state         {paths.state_file()}")
        print(f"cache         {paths.cache_dir()}")
        print()
        for name in SETTINGS:
            source = config.sources.get(name, "default")
            print(f"{name:<26} = {getattr(config, name)!r:<28} ({source})")
        for binding_id, keys_text in sorted(config.keys.items()):
            print(f"[keys] {binding_id:<19} = {keys_text!r}")
    for problem in problems:
        print(f"paperterm: {problem}", file=sys.stderr)
    if args.check and not problems:
        print("config: no problems")
    return EXIT_FAILURE if problems else 0
