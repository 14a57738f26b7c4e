"""Topics: saved searches of the site that remember which of their papers were seen.

No Textual. A topic is a name and a query, from the config (`[[topic]] name = "…"
query = "…"`) or saved from the reader; `topics.toml` in the data dir holds the saved ones
and, for every topic, the ids seen there and when it was last looked at. On a visit the
papers not seen before are new (`✦`); the visit then records them as seen.

The file is the user's, so it is kept as `state.toml` is: the lock around read-modify-
write, atomic writes, the last good copy as `topics.toml.bak`, and a file that cannot be
read set aside as `topics.toml.corrupt-<time>`, never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from paperterm.lists import ListResult, ListSource, ListSpec
from paperterm.text import clean_line
from paperterm.tomlfile import TomlFile

if TYPE_CHECKING:
    from paperterm.config import Config

MAX_SEEN = 5_000
"""Ids remembered per topic: a search answers 100 at most, so this is years of visits."""


@dataclass
class Topic:
    name: str
    query: str
    seen: set[str] = field(default_factory=set)
    looked: datetime | None = None
    from_config: bool = False

    @property
    def spec(self) -> ListSpec:
        return ListSpec("search", self.query)

    def new_ids(self, ids: list[str]) -> set[str]:
        """Of these ids, the ones this topic has not shown before (none on a first visit:
        everything would be new, which says nothing)."""
        if self.looked is None:
            return set()
        return {i for i in ids if i not in self.seen}


def topics_from_config(raw: object, problems: list[str]) -> list[Topic]:
    """`[[topic]]` tables: each needs a name and a query; a bad one is said and skipped."""
    if not isinstance(raw, list):
        problems.append("config: [[topic]] must be tables with a name and a query; ignored")
        return []
    out: list[Topic] = []
    for entry in raw:
        name = clean_line(entry.get("name"), 60) if isinstance(entry, dict) else ""
        query = clean_line(entry.get("query"), 200) if isinstance(entry, dict) else ""
        if not name or not query:
            problems.append(f"config: a [[topic]] needs a name and a query: {entry!r}; ignored")
            continue
        out.append(Topic(name, query, from_config=True))
    return out


class TopicStore:
    def __init__(self, path: Path, configured: list[Topic] | None = None) -> None:
        self.path = path
        self.file = TomlFile(path)
        self.configured = configured or []
        self.topics: list[Topic] = []
        self.problem: str | None = None
        self.counts: dict[str, int] = {}
        """Papers new in each topic by its last check (`check`), until it is visited."""
        self.loaded = False

    def load(self) -> TopicStore:
        saved = self._read()
        by_name = {t.name.casefold(): t for t in saved}
        merged: list[Topic] = []
        for topic in self.configured:
            kept = by_name.pop(topic.name.casefold(), None)
            if kept is not None:  # the config says what it is; the file what was seen
                topic.seen, topic.looked = kept.seen, kept.looked
            merged.append(topic)
        merged += by_name.values()
        self.topics = merged
        self.loaded = True
        return self

    async def check(self, lists: ListSource, *, offline: bool = False) -> list[ListResult]:
        """Each topic's answer (from the cache while fresh) and its count of papers not
        seen there; nothing is marked seen (that is a visit)."""
        results = []
        for topic in list(self.topics):
            result = await lists.load(topic.spec, offline=offline)
            results.append(result)
            if result.status == "ok":
                self.counts[topic.name] = len(topic.new_ids([p.id for p in result.papers]))
        return results

    def _read(self) -> list[Topic]:
        topics: list[Topic] = self.file.read(_topics_of, [])
        self.problem = self.file.problem
        return topics

    def find(self, name: str) -> Topic | None:
        return next((t for t in self.topics if t.name.casefold() == name.casefold()), None)

    def add(self, name: str, query: str) -> Topic:
        """Save a search as a topic (or give an existing name a new query)."""
        name, query = clean_line(name, 60), clean_line(query, 200)
        topic = self.find(name)
        if topic is None:
            topic = Topic(name, query)
            self.topics.append(topic)
        else:
            topic.query = query
        self.save()
        return topic

    def visited(self, topic: Topic, ids: list[str], now: datetime) -> set[str]:
        """Record a visit: returns the ids new this time, and remembers them all as seen."""
        new = topic.new_ids(ids)
        topic.seen.update(ids)
        if len(topic.seen) > MAX_SEEN:
            topic.seen = set(sorted(topic.seen)[-MAX_SEEN:])
        topic.looked = now
        self.save()
        return new

    def save(self) -> None:
        """Re-read under the lock, apply ours over it, write atomically."""
        with self.file.lock():
            on_disk = {t.name.casefold(): t for t in self._read()}
            for topic in self.topics:
                other = on_disk.get(topic.name.casefold())
                if other is not None:  # another paperterm saw some too: keep both
                    topic.seen |= other.seen
                on_disk[topic.name.casefold()] = topic
            doc = {"topic": [_doc_of(t) for t in on_disk.values()]}
            self.file.write(doc)


def _topics_of(doc: dict[str, object]) -> list[Topic]:
    entries = doc.get("topic", [])
    if not isinstance(entries, list):
        raise ValueError("topic is not a list of tables")
    return [_topic_of(t) for t in entries]


def _topic_of(raw: object) -> Topic:
    if not isinstance(raw, dict):
        raise ValueError("a [[topic]] entry is not a table")
    name, query = clean_line(raw.get("name"), 60), clean_line(raw.get("query"), 200)
    if not name or not query:
        raise ValueError("a [[topic]] entry lacks a name or a query")
    seen = {s for s in raw.get("seen", []) if isinstance(s, str)}
    looked = raw.get("looked")
    return Topic(name, query, seen, looked if isinstance(looked, datetime) else None)


def _doc_of(topic: Topic) -> dict[str, object]:
    doc: dict[str, object] = {"name": topic.name, "query": topic.query, "seen": sorted(topic.seen)}
    if topic.looked is not None:
        doc["looked"] = topic.looked
    return doc


def open_topics(config: Config) -> TopicStore:
    """The topics in force: the config's `[[topic]]` tables (problems said in its list)
    and the saved ones, in `topics.toml` in the data dir. Not read yet: `load()` it."""
    from paperterm import paths

    return TopicStore(
        paths.data_dir() / "topics.toml", topics_from_config(config.topic, config.problems)
    )
