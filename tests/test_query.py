"""The filter query language over real corpus days, checked against the raw JSON."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import load_corpus_file
from demo import corpus_bodies

from paperterm.model import Paper
from paperterm.query import (
    QueryError,
    SearchIndex,
    highlight_pattern,
    parse_query,
    search_text,
    starts_word,
)
from paperterm.scrape import parse_api

DAYS = [date(2025, 9, 29) + timedelta(days=i) for i in range(5)]  # Mon..Fri, rich fields


class Flags:
    def __init__(self, read=(), starred=(), new=(), changed=()) -> None:  # type: ignore[no-untyped-def]
        self.read, self.starred, self.new = set(read), set(starred), set(new)
        self.changed = set(changed)
        self.notes: dict[str, str] = {}

    def is_read(self, paper_id: str) -> bool:
        return paper_id in self.read

    def is_starred(self, paper_id: str) -> bool:
        return paper_id in self.starred

    def is_new(self, paper: Paper) -> bool:
        return paper.id in self.new

    def is_changed(self, paper_id: str) -> bool:
        return paper_id in self.changed

    def note(self, paper_id: str) -> str:
        return self.notes.get(paper_id, "")


@pytest.fixture(scope="module")
def week(corpus_dir: Path) -> tuple[list[Paper], dict[str, dict[str, Any]]]:
    papers: list[Paper] = []
    raw: dict[str, dict[str, Any]] = {}
    for day in DAYS:
        items = load_corpus_file(corpus_dir / f"{day}.json")
        papers += parse_api(json.dumps(items).encode(), day).papers
        for item in items:
            if isinstance(item, dict):
                raw.setdefault(item["paper"]["id"], {**item["paper"], "_day": day, "_item": item})
    assert len(papers) > 150
    return papers, raw


def ids(papers, query, flags=None) -> set[str]:  # type: ignore[no-untyped-def]
    q = parse_query(query)
    return {p.id for p in papers if q.matches(p, flags or Flags())}


def org_names(r: dict[str, Any]) -> str:
    item = r["_item"]
    org = r.get("organization") or item.get("organization") or item.get("submitterOrganization")
    return f"{(org or {}).get('name', '')} {(org or {}).get('fullname', '')}".casefold()


def text_of(r: dict[str, Any]) -> str:
    authors = ", ".join(a.get("name", "") for a in r.get("authors", []))
    return " ".join(f"{r['title']} {authors} {r.get('summary', '')}".split()).casefold()


def has(word: str, text: str) -> bool:
    """`word` at the start of a word of `text`, any case: what a query word means."""
    return (
        re.search(r"(?<!\w)" + re.escape(word), " ".join(text.split()), re.IGNORECASE) is not None
    )


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        ("diffusion", lambda r: has("diffusion", text_of(r))),
        ("DIFFUSION video", lambda r: has("diffusion", text_of(r)) and has("video", text_of(r))),
        ('"reinforcement learning"', lambda r: has("reinforcement learning", text_of(r))),
        (
            "agent -benchmark",
            lambda r: has("agent", text_of(r)) and not has("benchmark", text_of(r)),
        ),
        ("title:llm", lambda r: has("llm", r["title"])),
        ("author:wang", lambda r: any(has("wang", a["name"]) for a in r["authors"])),
        ("abstract:robot", lambda r: has("robot", r["summary"])),
        (
            "kw:diffusion",
            lambda r: any(has("diffusion", k) for k in r.get("ai_keywords", [])),
        ),
        ("lora OR adapter", lambda r: has("lora", text_of(r)) or has("adapter", text_of(r))),
        (
            "(video OR image) -diffusion",
            lambda r: (
                (has("video", text_of(r)) or has("image", text_of(r)))
                and not has("diffusion", text_of(r))
            ),
        ),
        (
            "model -(survey OR benchmark)",
            lambda r: (
                has("model", text_of(r))
                and not (has("survey", text_of(r)) or has("benchmark", text_of(r)))
            ),
        ),
        (
            "title:agent OR upvotes:>=30 has:code",
            lambda r: (
                has("agent", r["title"]) or (r["upvotes"] >= 30 and bool(r.get("githubRepo")))
            ),
        ),
        (
            "day:2025-09-30..2025-10-01",
            lambda r: date(2025, 9, 30) <= r["_day"] <= date(2025, 10, 1),
        ),
        ("day:..2025-09-30", lambda r: r["_day"] <= date(2025, 9, 30)),
        ("upvotes:..3", lambda r: r["upvotes"] <= 3),
        (
            "org:alibaba",
            lambda r: (
                "alibaba"
                in json.dumps(
                    r.get("organization")
                    or r["_item"].get("organization")
                    or r["_item"].get("submitterOrganization")
                    or {}
                ).casefold()
            ),
        ),
        ("has:code", lambda r: bool(r.get("githubRepo"))),
        ("has:project", lambda r: bool(r.get("projectPage"))),
        ("upvotes:>=20", lambda r: r["upvotes"] >= 20),
        ("upvotes:<3", lambda r: r["upvotes"] < 3),
        ("upvotes:10..20", lambda r: 10 <= r["upvotes"] <= 20),
        ("stars:>100", lambda r: r.get("githubStars", -1) > 100),
        ("comments:>1", lambda r: r["_item"].get("numComments", 0) > 1),
        ("day:2025-10-01", lambda r: r["_day"] == date(2025, 10, 1)),
        ("day:>=2025-10-02", lambda r: r["_day"] >= date(2025, 10, 2)),
        (
            "has:code upvotes:>=10 -survey",
            lambda r: (
                bool(r.get("githubRepo")) and r["upvotes"] >= 10 and "survey" not in text_of(r)
            ),
        ),
    ],
)
def test_operator_matches_raw_json(week, query, expect) -> None:  # type: ignore[no-untyped-def]
    papers, raw = week
    want = {pid for pid, r in raw.items() if expect(r)}
    got = ids(papers, query)
    assert got == want
    assert query.startswith("day:>=") or want != {p.id for p in papers}  # the filter does filter


def test_states(week) -> None:  # type: ignore[no-untyped-def]
    papers, _ = week
    a, b, c = papers[0].id, papers[1].id, papers[2].id
    flags = Flags(read={a, b}, starred={b}, new={c}, changed={b})
    assert ids(papers, "is:starred", flags) == {b}
    assert ids(papers, "is:changed", flags) == {b}
    flags.notes = {a: "Read for the reading group; compare with RLHF", c: "skim"}
    assert ids(papers, "has:note", flags) == {a, c}
    assert ids(papers, "note:rlhf", flags) == {a}  # the word-start rule, any case
    assert ids(papers, "note:group -is:read", flags) == set()
    assert ids(papers, "is:read", flags) == {a, b}
    assert ids(papers, "is:unread", flags) == {p.id for p in papers} - {a, b}
    assert ids(papers, "is:new", flags) == {c}
    assert ids(papers, "is:read -is:starred", flags) == {a}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("foo:bar", "unknown field foo:"),
        ("upvotes:>many", "upvotes: wants a number"),
        ("upvotes:1..x", "range of whole numbers"),
        ("day:yesterday", "day: wants a date"),
        ("is:cool", "is: takes"),
        ("has:wings", "has: takes"),
        ('"open phrase', "not closed"),
        ("title:", "needs a value"),
        ("video -", "lone '-'"),
        ("upvotes:50..10", "upvotes: 50..10 is reversed (did you mean 10..50?)"),
        ("day:2026-08-15..2026-08-01", "is reversed"),
        ("day:2026-08-01..soon", "range of dates"),
        ("(video", "'(' is not closed"),
        ("video)", "')' has no '('"),
        ("video OR", "OR needs a term on each side"),
        ("OR video", "OR needs a term on each side"),
        ("()", "empty ( )"),
    ],
)
def test_malformed_queries_say_what_is_wrong(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        parse_query(query)


def test_empty_query_matches_everything(week) -> None:  # type: ignore[no-untyped-def]
    papers, _ = week
    assert parse_query("   ").is_empty
    assert ids(papers, "") == {p.id for p in papers}


def test_highlight_pattern_covers_positive_terms_only() -> None:
    q = parse_query('diffusion "video model" -survey title:llama upvotes:>3 -(gan OR vae)')
    pattern = highlight_pattern(q)
    assert pattern is not None
    assert pattern.findall("Diffusion VIDEO MODEL llama survey gan") == [
        "Diffusion",
        "VIDEO MODEL",
        "llama",
    ]
    # As it matches: at the start of a word only.
    rl = highlight_pattern(parse_query("RL"))
    assert rl is not None and rl.findall("RLHF in a world of control, rl") == ["RL", "rl"]


def test_words_match_whole_words_or_prefixes_not_any_substring(week) -> None:  # type: ignore[no-untyped-def]
    """`RL` matched 87 of 173 papers, most through "world" or "control"."""
    papers, raw = week
    got = ids(papers, "RL")
    assert got == {pid for pid, r in raw.items() if has("rl", text_of(r))}
    substring = {pid for pid, r in raw.items() if "rl" in text_of(r)}
    assert len(got) < len(substring) / 2
    world_only = [
        p
        for p in papers
        if "world" in search_text(p) and not re.search(r"(?<!\w)rl", search_text(p))
    ]
    assert world_only and not {p.id for p in world_only} & got
    prefix = ids(papers, "diffu")
    assert ids(papers, "diffusion") | ids(papers, "diffuse") <= prefix


@pytest.mark.parametrize(
    "query",
    [
        "diffusion",
        "DIFFUSION video",
        '"reinforcement learning"',
        "agent -benchmark",
        "-the",
        "a",
        "model has:code upvotes:>=5",
        "-survey -benchmark llm",
        "zzzz-no-such-word",
        '""',
        '-"" model',
        "lora OR adapter",
        "(video OR image) -diffusion",
        "-(survey OR benchmark) model",
        "is:unread OR has:code",
        "title:agent OR author:wang",
        "-a",
        "((agent))",
    ],
)
def test_search_index_agrees_with_per_paper_matching(week, query) -> None:  # type: ignore[no-untyped-def]
    """The fast path (masks from the index) gives exactly what per-paper matching gives."""
    from paperterm.query import SearchIndex

    papers, _ = week
    q = parse_query(query)
    flags = Flags()
    fast = q.predicate(flags, SearchIndex(papers))
    want = {p.id for p in papers if q.matches(p, flags)}
    assert {p.id for p in papers if fast(p)} == want
    # And the list as the reader builds it (each day's matches a slice of the mask there).
    from paperterm.listing import Listing

    by_day: dict[date, list[Paper]] = {}
    for p in papers:
        by_day.setdefault(p.day, []).append(p)
    days = [(d, tuple(ps)) for d, ps in by_day.items()]
    rows, shown, total = Listing().build(days, flags, query=q)
    assert {r.paper.id for r in rows if r.paper} == want
    assert shown == len(want) and total == len(papers)


@pytest.mark.parametrize("sort", ["upvotes", "title", "site"])
@pytest.mark.parametrize("query", ["model", "a", "agent -learning", "zzzq", "is:starred"])
def test_filtered_rows_keep_the_lists_order_and_its_headers(week, sort, query) -> None:  # type: ignore[no-untyped-def]
    """A filtered list is the unfiltered list with the rows that do not match taken out,
    in the same order (each day sorted as chosen), each day's header counting what is left,
    and a paper listed on two days shown on both."""
    from paperterm.listing import Listing

    papers, _ = week
    by_day: dict[date, list[Paper]] = {}
    for p in papers:
        by_day.setdefault(p.day, []).append(p)
    first, second = sorted(by_day)[:2]
    by_day[second].append(by_day[first][0])  # the site lists a paper on two days
    days = [(d, tuple(ps)) for d, ps in by_day.items()]
    flags = Flags(starred={p.id for p in papers[::7]})
    q = parse_query(query)
    listing = Listing()
    every, _, _ = listing.build(days, flags, sort=sort)
    rows, shown, total = listing.build(days, flags, query=q, sort=sort)
    want = [r for r in every if r.paper is None or q.matches(r.paper, flags)]
    want = [  # headers of days left with no matches go, the others count the matches
        r
        for i, r in enumerate(want)
        if r.paper is not None or (i + 1 < len(want) and want[i + 1].paper is not None)
    ]
    assert [(r.day, r.paper.id if r.paper else "") for r in rows] == [
        (r.day, r.paper.id if r.paper else "") for r in want
    ]
    assert shown == sum(1 for r in want if r.paper) and total == len(papers) + 1
    for i, row in enumerate(rows):
        if row.paper is None:
            under = next((j for j in range(i + 1, len(rows)) if rows[j].paper is None), None)
            assert row.shown == (under or len(rows)) - i - 1
    assert listing.row_ids == [r.paper.id if r.paper else "" for r in rows]
    # The rows are a view of the days' own rows: read as the list they stand for.
    flat, flat_ids = list(rows), list(listing.row_ids)
    assert (
        [rows[i] for i in range(len(rows))]
        == flat
        == [rows[i - len(rows)] for i in range(len(rows))]
    )
    assert rows[2:9] == flat[2:9] and listing.row_ids[1:4] == flat_ids[1:4]
    for paper_id in set(flat_ids) - {""}:
        at = flat_ids.index(paper_id)
        assert listing.row_ids.index(paper_id) == at
        again = flat_ids.index(paper_id, at + 1) if flat_ids.count(paper_id) > 1 else None
        if again is None:
            with pytest.raises(ValueError):
                listing.row_ids.index(paper_id, at + 1)
        else:
            assert listing.row_ids.index(paper_id, at + 1) == again
    with pytest.raises(IndexError):
        rows[len(rows)]
    if query == "a":
        assert shown > len(papers) * 0.9  # whole days match: the rows as the days have them


@pytest.mark.parametrize("sort", ["upvotes", "title", "stars", "site"])
def test_each_day_is_listed_in_its_sorts_order_ties_as_given(sort: str) -> None:
    """Every corpus day's rows in the order of the sort's own key (a stable sort: papers
    with the same key stay as the day gave them), however the listing sorts them. A day
    of ties by votes and by title up to case is among them."""
    from paperterm.listing import SORTS, Listing, as_sort, sort_order

    chosen = as_sort(sort) or "site"
    days = [(d, parse_api(b, d).papers) for d, b in corpus_bodies(None).items()]
    tied = date(2030, 1, 1)
    # ("Straßb" comes first by casefold, "strassb", and last by lower case.)
    titles = ["beta", "Alpha", "alpha", "ALPHA", "beta", "Gamma", "Strasz", "Straßb"]
    votes = [3, 3, 3, 5, 3, 0, 1, 1]
    days.append(
        (
            tied,
            tuple(
                Paper(f"2601.0000{k}", title, tied, upvotes=n)
                for k, (title, n) in enumerate(zip(titles, votes, strict=True))
            ),
        )
    )
    assert sum(len(ps) for _, ps in days) > 9000
    key = SORTS[chosen][1]
    rows, _, _ = Listing().build(days, Flags(), sort=chosen)
    listed: dict[date, list[str]] = {}
    for row in rows:
        if row.paper is not None:
            listed.setdefault(row.day, []).append(row.paper.id)
    for day, papers in days:
        want = [p.id for p in sorted(papers, key=key)]
        assert listed.get(day, []) == want
        assert [papers[k].id for k in sort_order(papers, chosen)] == want
    if chosen == "upvotes":
        assert listed[tied] == [f"2601.0000{k}" for k in (3, 1, 2, 0, 4, 7, 6, 5)]


def brief_days(
    papers: list[Paper],
) -> tuple[dict[tuple[date, str], Paper], list[tuple[date, tuple[Paper, ...]]]]:
    """The papers by day and id, and their days as the list holds days long past: brief."""
    by_day: dict[date, list[Paper]] = {}
    for p in papers:
        by_day.setdefault(p.day, []).append(p)
    whole = {(p.day, p.id): p for p in papers}
    return whole, [(d, tuple(p.briefly() for p in ps)) for d, ps in by_day.items()]


def test_brief_days_are_searched_whole_and_a_reader_that_loses_papers_shifts_nothing(
    week: tuple[list[Paper], dict[str, dict[str, Any]]],
) -> None:
    """The list holds brief papers; the filter finds words of their abstracts (each day
    read whole for the index). A day read back as other papers than it holds (a cache
    rewritten under the reader) is searched as it is listed, never with the matches of
    the papers after it shifted onto the wrong rows."""
    from paperterm.listing import Listing

    papers, _ = week
    whole, days = brief_days(papers)
    query = parse_query("benchmark")  # a word of many abstracts
    in_abstracts = {p.id for p in papers if query.matches(p, Flags())}
    in_titles = {p.id for p in papers if query.matches(p.briefly(), Flags())}
    assert len(in_abstracts) > len(in_titles) > 0

    listing = Listing()
    listing.whole = lambda ps: [whole[(p.day, p.id)] for p in ps]
    rows, _, _ = listing.build(days, Flags(), query=query)
    assert {r.paper.id for r in rows if r.paper} == in_abstracts

    shifted = Listing()
    shifted.whole = lambda ps: [whole[(p.day, p.id)] for p in ps][1:]  # one lost
    rows, _, _ = shifted.build(days, Flags(), query=query)
    assert {r.paper.id for r in rows if r.paper} == in_titles


def test_typing_a_query_narrows_correctly_letter_by_letter(week) -> None:  # type: ignore[no-untyped-def]
    """As a query is typed and erased on one index, each word is searched for only among
    the papers the last keystroke left: every step must still agree with matching each
    paper afresh."""
    from paperterm.listing import Listing

    papers, _ = week
    by_day: dict[date, list[Paper]] = {}
    for p in papers:
        by_day.setdefault(p.day, []).append(p)
    days = [(d, tuple(ps)) for d, ps in by_day.items()]
    listing = Listing()
    flags = Flags()
    typed = "model -bench agent learning"
    steps = [typed[:n] for n in range(1, len(typed) + 1)]
    steps += [*steps[::-1][1:], "learning agent", "agent", "ning", "learning"]
    checked = 0
    for text in steps:
        if text.endswith("-"):
            continue  # "model -" is an unfinished query: the reader keeps the last result
        rows, _, _ = listing.build(days, flags, query=parse_query(text))
        assert {r.paper.id for r in rows if r.paper} == ids(papers, text), text
        checked += 1
    assert checked == len(steps) - 2


def test_a_sort_change_on_one_listing_finds_the_same_papers_in_the_new_order(week) -> None:  # type: ignore[no-untyped-def]
    """The index holds the papers in the rows' order and is reordered, not rebuilt, when
    the sort changes: after each change (and back) a filtered list is exactly what a new
    listing in that sort would show, row for row."""
    from paperterm.listing import Listing

    papers, _ = week
    by_day: dict[date, list[Paper]] = {}
    for p in papers:
        by_day.setdefault(p.day, []).append(p)
    days = [(d, tuple(ps)) for d, ps in by_day.items()]
    flags = Flags()
    listing = Listing()
    for sort in ["upvotes", "title", "comments", "site", "upvotes", "title"]:
        for text in ["m", "model", "model agent", "model a", "-learning model"]:
            query = parse_query(text)
            rows, shown, _ = listing.build(days, flags, query=query, sort=sort)  # type: ignore[arg-type]
            fresh, fresh_shown, _ = Listing().build(days, flags, query=query, sort=sort)  # type: ignore[arg-type]
            assert list(rows) == list(fresh) and shown == fresh_shown, (sort, text)
            assert {r.paper.id for r in rows if r.paper} == ids(papers, text), (sort, text)


def test_search_index_follows_a_refreshed_day(week) -> None:  # type: ignore[no-untyped-def]
    """A day refreshed from the site is a new tuple of papers: the next search sees it."""
    from msgspec.structs import replace

    from paperterm.listing import Listing

    papers, _ = week
    day = papers[0].day
    first = tuple(p for p in papers if p.day == day)
    listing = Listing()
    rows, shown, _ = listing.build([(day, first)], Flags(), query=parse_query("zebrafinch"))
    assert shown == 0
    grown = (*first, replace(first[0], id="2510.99999", title="Zebrafinch song models"))
    rows, shown, _ = listing.build([(day, grown)], Flags(), query=parse_query("zebrafinch"))
    assert [r.paper.id for r in rows if r.paper] == ["2510.99999"]


def test_a_word_typed_and_erased_among_few_papers_answers_as_the_rule_each_time(
    week: tuple[list[Paper], dict[str, dict[str, Any]]],
) -> None:
    """A later word is looked for among the papers the earlier words left, each letter's
    answer kept for that same set: typed forward, erased letter by letter, typed again
    (answers found again), and among another set of papers, each answer is the rule's."""
    papers, _ = week
    index = SearchIndex(papers)

    def rule(needle: str) -> set[str]:
        return {p.id for p in papers if starts_word(needle, search_text(p))}

    by_id = sorted(p.id for p in papers)
    firsts = index.mask_of(by_id[: len(by_id) // 3])
    lasts = index.mask_of(by_id[-len(by_id) // 3 :])
    word = "learning"
    steps = [word[:n] for n in range(1, len(word) + 1)]
    steps += steps[::-1] + steps
    for within, wanted in (
        (firsts, set(by_id[: len(by_id) // 3])),
        (lasts, set(by_id[-len(by_id) // 3 :])),
    ):
        for needle in [*steps, "lea", "lx", "le"]:
            found = index.matching(needle, within)
            assert index.ids_of(found) == rule(needle) & wanted, needle
    assert index.ids_of(index.matching("learn", firsts)), "the word is found at all"


@pytest.mark.parametrize(
    "needles",
    [
        ["d", "di", "dif", "diff", "diffu", "diffusion"],  # typed letter by letter
        ["gpt-4", "text-to-image", "[cls]", "-", "_", "3d", "l", "ll", "llm", "o1"],
        ["vision-language", "(", "é", "state-of-the-art", "x", "zero-shot", "xyl", "zzzq"],
    ],
)
def test_the_index_finds_what_the_rule_says(
    week: tuple[list[Paper], dict[str, dict[str, Any]]], needles: list[str]
) -> None:
    """The index's one-`in` search (letter by letter, narrowing as the word grows, and a
    verified probe for needles with punctuation) answers as `starts_word` on every paper."""
    papers, _ = week
    index = SearchIndex(papers)

    def rule(needle: str) -> set[str]:
        return {p.id for p in papers if starts_word(needle, search_text(p))}

    found_some = 0
    for needle in needles:
        assert index.ids_of(index.matching(needle)) == rule(needle), needle
        found_some += bool(rule(needle))
        within = set(sorted(p.id for p in papers)[:40])
        found = index.matching(needle + "e", index.mask_of(within))
        assert index.ids_of(found) == rule(needle + "e") & within
    assert found_some >= len(needles) // 2  # the needles are not all misses
