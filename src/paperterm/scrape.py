"""Pure functions: the bytes of a day page or an API response in, `Paper`s out.

No IO and no network here, so every capture and every corpus day can be fed straight in.
Anything the site sends may be missing, null, of the wrong type or hostile; each accessor
checks, and a bad item is skipped (and counted) rather than failing its day.

Over 400 lines because it reads three shapes of the same record (the page's JSON, its
rendered cards, the API) and they share the item parser: split, the checks would drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from paperterm import jsonio
from paperterm.links import safe_url
from paperterm.model import Paper
from paperterm.text import clean_block, clean_line, clean_lines

PARSER_VERSION = 2
"""Bump when parsing changes: cached raw bodies are re-parsed by a newer parser."""

MAX_BODY = 16 * 1024 * 1024
"""A day page is ~0.5 MB; lexbor is quadratic in nesting depth, so refuse anything huge."""

MAX_AUTHORS = 5_000
MAX_KEYWORDS = 50


class ScrapeError(Exception):
    """The body could not be turned into a day of papers. The message may quote the body,
    so it is cleaned like the rest of the scraped text."""

    def __init__(self, message: object = "") -> None:
        super().__init__(clean_line(str(message), 500))


class UnparseableError(ScrapeError):
    """No paper data in the body: a changed site, a challenge or rate-limit page."""


class WrongDayError(ScrapeError):
    """The site answered with another day than the one asked for."""

    def __init__(self, asked: date, got: date) -> None:
        super().__init__(f"asked for {asked.isoformat()}, the site answered with {got.isoformat()}")
        self.asked = asked
        self.got = got


@dataclass(frozen=True)
class ScrapedDay:
    """What one body held."""

    papers: tuple[Paper, ...]
    reported_day: date | None = None
    """The day the site said this is, when it said."""
    skipped: int = 0
    """Items that could not be read (wrong type, no id or title)."""
    method: str = "json"
    """'json' (embedded data-props or API) or 'cards' (the rendered-card fallback)."""


# ---------------------------------------------------------------- field access


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


MAX_COUNT = 10**9
"""No real count comes near this; `1e308` upvotes would be a 309-digit integer that breaks
every layout and sort, so counts are bounded to +-MAX_COUNT."""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return max(-MAX_COUNT, min(value, MAX_COUNT))
    if isinstance(value, float) and value.is_integer():
        return max(-MAX_COUNT, min(int(value), MAX_COUNT))
    if isinstance(value, str):
        digits = value.strip()
        if digits.lstrip("-").isdigit() and len(digits) <= 12:
            return max(-MAX_COUNT, min(int(digits), MAX_COUNT))
    return None


def parse_date(value: Any) -> date | None:
    """The calendar date of an ISO string: '2024-08-01' or '2024-08-01T00:00:00.000Z' (UTC)."""
    dt = parse_datetime(value)
    if dt is not None:
        return dt.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


_ID_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


def paper_from_item(item: Any, day: date | None) -> Paper | None:
    """One list item (page JSON and API share the shape) as a `Paper`, or None if unusable.

    `day` is the feed day that was asked for; without it the item's `submittedOnDailyAt` is
    used. `publishedAt` is never used for the feed day: its meaning changed in 2026.
    """
    if not isinstance(item, dict):
        return None
    paper = _dict(item.get("paper"))
    pid = paper.get("id")
    if not isinstance(pid, str) or not _ID_OK.match(pid.strip()):
        return None
    pid = pid.strip()
    title = clean_line(paper.get("title")) or clean_line(item.get("title"))
    if not title:
        return None
    # Before mid-2024 items carry no submittedOnDailyAt; their top-level publishedAt is
    # when they were put on the feed (paper.publishedAt is the arXiv date, never the feed day).
    feed_day = (
        day or parse_date(paper.get("submittedOnDailyAt")) or parse_date(item.get("publishedAt"))
    )
    if feed_day is None:
        return None

    authors: list[str] = []
    raw_authors = paper.get("authors")
    if isinstance(raw_authors, list):
        authors = [n for n in clean_lines(_author_names(raw_authors[:MAX_AUTHORS]), 200) if n]
        author_count = len(raw_authors)
    else:
        author_count = 0

    keywords_raw = paper.get("ai_keywords")
    keywords: tuple[str, ...] = ()
    if isinstance(keywords_raw, list):
        keywords = tuple(k for k in (clean_line(x, 100) for x in keywords_raw[:MAX_KEYWORDS]) if k)

    org = _dict(paper.get("organization")) or _dict(item.get("organization"))
    org = org or _dict(item.get("submitterOrganization"))
    organization = clean_line(org.get("fullname"), 200) or clean_line(org.get("name"), 200)
    submitter_raw = _dict(item.get("submittedBy")) or _dict(paper.get("submittedOnDailyBy"))
    submitter = clean_line(submitter_raw.get("name") or submitter_raw.get("user"), 100)

    upvotes = _int(paper.get("upvotes"))
    comments = _int(item.get("numComments"))
    stars = _int(paper.get("githubStars"))
    return Paper(
        id=pid,
        title=title,
        day=feed_day,
        abstract=clean_block(paper.get("summary")) or clean_block(item.get("summary")),
        authors=tuple(authors),
        author_count=max(author_count, len(authors)),
        upvotes=max(upvotes or 0, 0),
        comments=max(comments or 0, 0),
        published=parse_datetime(paper.get("publishedAt")),
        github=safe_url(paper.get("githubRepo")),
        github_stars=stars if stars is not None and stars >= 0 else None,
        project_page=safe_url(paper.get("projectPage")),
        ai_summary=clean_block(paper.get("ai_summary"), 4_000),
        ai_keywords=keywords,
        organization=organization,
        org_handle=clean_line(org.get("name"), 200),
        submitter=submitter,
        withdrawn=bool(paper.get("withdrawnAt")),
    )


def _author_names(entries: list[Any]) -> list[str]:
    """Each author's name: `name`, else the user's full name; entries with neither drop."""
    # Comprehensions and C-level checks, not a loop: one paper in the corpus has 533
    # authors, and nearly every list is dicts that all have a name.
    try:
        names = [a["name"] for a in entries]
    except (KeyError, TypeError):
        names = []
    if names and "" not in names and set(map(type, names)) == {str}:
        return names
    picked = [
        name if isinstance(name := a.get("name"), str) and name.strip() else full_name
        for a in entries
        if isinstance(a, dict)
        for full_name in (_dict(a.get("user")).get("fullname"),)
    ]
    return [n for n in picked if isinstance(n, str)]


def papers_from_items(items: list[Any], day: date | None) -> tuple[tuple[Paper, ...], int]:
    """Papers from a list of items, first occurrence of an id wins; plus the skipped count."""
    seen: set[str] = set()
    papers: list[Paper] = []
    skipped = 0
    for item in items:
        paper = paper_from_item(item, day)
        if paper is None:
            skipped += 1
            continue
        if paper.id in seen:
            continue
        seen.add(paper.id)
        papers.append(paper)
    return tuple(papers), skipped


def _check_size(body: bytes) -> None:
    if len(body) > MAX_BODY:
        raise UnparseableError(f"response too large ({len(body):,} bytes)")


def _check_day(asked: date | None, got: date | None) -> None:
    if asked is not None and got is not None and asked != got:
        raise WrongDayError(asked, got)


# ---------------------------------------------------------------- the JSON API


def api_items(body: bytes) -> list[Any]:
    """The list of items in an API answer, or `UnparseableError`."""
    _check_size(body)
    try:
        data = jsonio.loads_lenient(body)
    except (ValueError, RecursionError) as error:
        raise UnparseableError(
            f"the API answered with something that is not JSON ({error})"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        raise UnparseableError("the API answered with JSON that holds no list of papers")
    return data


def parse_api(body: bytes, day: date | None = None) -> ScrapedDay:
    """An `/api/daily_papers` response: a bare list (or `{data: [...]}`, seen in the wild)."""
    data = api_items(body)
    papers, skipped = papers_from_items(data, day)
    if day is not None:
        # The items' own feed day tells us whether the site gave us another day.
        days = {
            d
            for item in data
            if (d := parse_date(_dict(_dict(item).get("paper")).get("submittedOnDailyAt")))
        }
        if days and day not in days:
            raise WrongDayError(day, max(days))
    return ScrapedDay(papers, reported_day=day if data else None, skipped=skipped)


# ---------------------------------------------------------------- the day page


def parse_page(body: bytes, day: date | None = None) -> ScrapedDay:
    """A day page: the `DailyPapers` hydrater's data-props JSON, else the rendered cards."""
    from selectolax.lexbor import LexborHTMLParser

    _check_size(body)
    # Fast path: parse only the hydrater's own tag, as bytes (a few hundred KB of JSON in a
    # ~0.5 MB page); the whole document is decoded and parsed only when that fails, e.g.
    # for the card fallback.
    props = _props_from_tag(body)
    tree = None
    text = ""
    if props is None:
        text = body.decode("utf-8", errors="replace")
        tree = LexborHTMLParser(text)
        node = tree.css_first('[data-target="DailyPapers"][data-props]')
        if node is not None:
            props = _props(node.attributes.get("data-props"))
    if props is not None:
        reported = parse_date(props.get("dateString")) or parse_date(props.get("date"))
        _check_day(day, reported)
        papers, skipped = papers_from_items(props["dailyPapers"], day or reported)
        return ScrapedDay(papers, reported_day=reported, skipped=skipped)
    assert tree is not None
    return _parse_cards(tree, day)


_DAILY_PAPERS = b'data-target="DailyPapers"'
# Attributes and their quoted values, as they sit inside an open tag.
_TAG_HEAD = re.compile(rb"""<[A-Za-z][^\s/>]*(?:[^>"']|"[^"]*"|'[^']*')*""")
_UP_TO_PROPS = re.compile(rb"""(?:[^>"']|"[^"]*"|'[^']*')*?\sdata-props=["]""")


def _props_from_tag(body: bytes) -> dict[str, Any] | None:
    """The DailyPapers data-props, read from that one tag of the raw page.

    Only the few bytes around the data-target are checked to be inside one open tag (not
    the 100+ KB attribute value, which holds no raw quote: the site writes them as &quot;).
    Anything unexpected (data-props before data-target, a truncated tag) returns None, and
    the caller parses the whole page instead.
    """
    marker = body.find(_DAILY_PAPERS)
    if marker < 0:
        return None
    start = body.rfind(b"<", 0, marker)
    if start < 0 or _TAG_HEAD.fullmatch(body, start, marker) is None:
        return None
    attr = _UP_TO_PROPS.match(body, marker + len(_DAILY_PAPERS))
    if attr is None:
        return None
    end = body.find(b'"', attr.end())
    if end < 0:
        return None
    return _props(_unescape_attr(body[attr.end() : end]))


_OTHER_ENTITY = re.compile(rb"&(?!quot;|amp;|lt;|gt;|#39;)")


def _unescape_attr(value: bytes) -> bytes:
    """Decode an attribute value as an HTML parser would, staying in bytes.

    The site escapes data-props with &quot; and, rarely, &amp; &lt; &gt; &#39;: plain
    replaces on the bytes are several times faster than a general decoder (or decoding to
    text first) on 100+ KB. Any other entity sends the whole value to `html.unescape`.
    """
    decoded = value.replace(b"&quot;", b'"')
    if b"&" not in decoded:
        return decoded
    if _OTHER_ENTITY.search(decoded):
        import html

        return html.unescape(value.decode("utf-8", errors="replace")).encode()
    # &amp; last, so "&amp;#39;" decodes once, to "&#39;", as a parser would.
    for entity, char in ((b"&#39;", b"'"), (b"&lt;", b"<"), (b"&gt;", b">"), (b"&amp;", b"&")):
        decoded = decoded.replace(entity, char)
    return decoded


def _props(raw: str | bytes | None) -> dict[str, Any] | None:
    try:
        loaded = jsonio.loads(raw or "")  # bytes must be UTF-8: else the full parse decodes
    except (ValueError, RecursionError):
        return None
    if isinstance(loaded, dict) and isinstance(loaded.get("dailyPapers"), list):
        return loaded
    return None


_COUNT = re.compile(r"(\d[\d,]*)\s*authors?\b")


def _parse_cards(tree: Any, day: date | None) -> ScrapedDay:
    """Fallback for a page without data-props: id, title, upvotes, comments, author count."""
    reported = None
    time_node = tree.css_first("time[datetime]")
    if time_node is not None:
        reported = parse_date(time_node.attributes.get("datetime"))
    _check_day(day, reported)
    feed_day = day or reported
    papers: list[Paper] = []
    seen: set[str] = set()
    skipped = 0
    for article in tree.css("article"):
        link = article.css_first('h3 a[href^="/papers/"]')
        if link is None:
            skipped += 1
            continue
        pid = (link.attributes.get("href") or "")[len("/papers/") :].split("?")[0].split("#")[0]
        title = clean_line(link.text(deep=True))
        if not _ID_OK.match(pid) or not title or feed_day is None:
            skipped += 1
            continue
        if pid in seen:
            continue
        seen.add(pid)
        # Other badges share the class ("Submitted by"): the vote count is the one that
        # reads as a number, or "-" for none (2026).
        upvotes = next(
            (
                _int(t) or 0
                for n in article.css("div.leading-none")
                if (t := n.text(strip=True)) == "-" or t.isdigit()
            ),
            0,
        )
        comments_node = article.css_first('a[href$="#community"]')
        comments = _int(comments_node.text(strip=True)) if comments_node is not None else None
        count_match = _COUNT.search(article.text(deep=True, separator=" "))
        authors = tuple(
            name
            for li in article.css("li[title]")
            if (name := clean_line(li.attributes.get("title"), 200))
        )
        org = ""
        org_img = article.css_first('a[href^="/"]:not([href^="/papers"]) > img[alt]')
        if org_img is not None and org_img.parent is not None:
            full = org_img.parent.css_first("span.font-medium")
            org = clean_line(full.text(deep=True) if full else "", 200) or clean_line(
                org_img.attributes.get("alt"), 200
            )
        author_count = (
            _int(count_match.group(1).replace(",", "")) or 0 if count_match else len(authors)
        )
        papers.append(
            Paper(
                id=pid,
                title=title,
                day=feed_day,
                authors=authors if not count_match else (),
                author_count=author_count,
                upvotes=upvotes,
                comments=max(comments or 0, 0),
                organization=org,
            )
        )
    if not papers and skipped and feed_day is None:
        raise UnparseableError("the page holds paper cards but does not say which day")
    if not papers:
        raise UnparseableError(
            "the page holds no paper data (the site may have changed, "
            "or this is a challenge or rate-limit page)"
        )
    return ScrapedDay(tuple(papers), reported_day=reported, skipped=skipped, method="cards")


def latest_day(body: bytes) -> date | None:
    """The newest feed day named in an undated `/api/daily_papers` answer."""
    try:
        data = jsonio.loads_lenient(body)
    except ValueError:
        return None
    if not isinstance(data, list):
        return None
    days = [
        d
        for item in data
        if (d := parse_date(_dict(_dict(item).get("paper")).get("submittedOnDailyAt")))
    ]
    return max(days) if days else None
