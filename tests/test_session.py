"""The reading session without a UI: what keys do to the state, undo, and the read rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from paperterm.config import Config
from paperterm.model import Paper
from paperterm.prefs import ViewPrefs, load_prefs
from paperterm.seen import SeenStore
from paperterm.session import ReadingSession, ReadRule
from paperterm.state import StateStore

WHEN = datetime(2024, 8, 1, 9, tzinfo=UTC)


def session(tmp_path: Path, **config: object) -> ReadingSession:
    store = StateStore(tmp_path / "state.toml", clock=lambda: WHEN).load()
    return ReadingSession(store, SeenStore(tmp_path / "seen.json"), Config(**config))  # type: ignore[arg-type]


def papers(n: int) -> list[Paper]:
    return [Paper(f"2408.0000{i}", f"Paper {i}", date(2024, 8, 1)) for i in range(n)]


def test_star_toggle_and_undo_in_steps(tmp_path: Path) -> None:
    s = session(tmp_path)
    assert s.toggle_star("a") is True and s.store.is_starred("a")
    assert s.toggle_read("b") is True and s.store.is_read("b")
    assert s.toggle_star("a") is False
    assert [step.label for step in s.undo_stack] == ["star", "read", "unstar"]
    s.undo()
    assert s.store.is_starred("a")
    s.undo()
    assert not s.store.is_read("b")
    s.undo()
    assert not s.store.is_starred("a") and s.undo() is None


def test_mark_all_read_is_one_step_and_undo_restores_exact_times(tmp_path: Path) -> None:
    s = session(tmp_path)
    day = papers(4)
    earlier = datetime(2024, 7, 1, tzinfo=UTC)
    s.store.restore("read", day[0].id, earlier)  # read before, at its own time
    changed = s.mark_all_read(day, "mark day read")
    assert changed == [p.id for p in day[1:]]
    step = s.undo()
    assert step is not None and step.paper_ids == changed
    assert s.store.read_at(day[0].id) == earlier
    assert not any(s.store.is_read(p.id) for p in day[1:])


def test_the_read_rule_and_undo_of_its_marks(tmp_path: Path) -> None:
    s = session(tmp_path)
    assert s.set_read("a", record_undo=False) and not s.undo_stack  # the rule's own mark
    assert s.set_read("b") and len(s.undo_stack) == 1  # a user's mark


def test_sort_and_hide_read_from_prefs_then_the_config(tmp_path: Path) -> None:
    s = session(tmp_path, sort="comments", hide_read=True)
    assert (s.sort, s.hide_read) == ("comments", True)
    s.use_prefs(ViewPrefs("stars", False))
    assert (s.sort, s.hide_read) == ("stars", False)
    damaged = tmp_path / "view.toml"
    damaged.write_text('sort = "no-such-sort"\nhide_read = "yes"\n')
    s.use_prefs(load_prefs(damaged))  # a sort no release knows, a flag of the wrong type
    assert (s.sort, s.hide_read) == ("stars", False)
    assert s.cycle_sort() == "comments" and s.toggle_hide_read() is True
    assert s.prefs == ViewPrefs("comments", True)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_read_rule_counts_only_time_looked_at() -> None:
    clock = Clock()
    rule = ReadRule(2.0, clock=clock)
    rule.follow("a", already_read=False)
    clock.now += 1.0
    assert rule.check("a", looking=True) == "wait" and rule.remaining == 1.0
    clock.now += 0.5
    assert rule.check("a", looking=False) == "wait"  # typing in the filter: starts again
    clock.now += 1.9
    assert rule.check("a", looking=True) == "wait"
    clock.now += 0.2
    assert rule.check("a", looking=True) == "mark"
    assert rule.check("a", looking=True) == "none"  # once


def test_read_rule_passed_through_and_already_read() -> None:
    clock = Clock()
    rule = ReadRule(2.0, clock=clock)
    rule.follow("a", already_read=False)
    rule.follow("b", already_read=False)  # moved on before the delay
    clock.now += 5
    assert rule.check("b", looking=True) == "mark"
    rule.follow("c", already_read=True)
    assert rule.check("c", looking=True) == "none"
    rule.follow("d", already_read=False)
    clock.now += 5
    assert rule.check("e", looking=True) == "none"  # the cursor is elsewhere now


def test_read_rule_with_no_delay_still_waits_while_not_looking() -> None:
    clock = Clock()
    rule = ReadRule(0.0, clock=clock)
    rule.follow("a", already_read=False)
    assert rule.check("a", looking=False) == "wait" and rule.remaining == rule.poll
    clock.now += rule.poll
    assert rule.check("a", looking=True) == "mark"


def test_the_seen_record_answers_as_its_rule_for_every_paper_of_the_corpus(
    tmp_path: Path,
) -> None:
    """New papers, the largest gain in votes and what is recorded, over every corpus
    paper against a last visit that saw some of them with other votes, as the per-paper
    rule (`is_new`, `movement`) says."""
    from demo import corpus_bodies

    from paperterm.scrape import parse_api

    listed = [p for d, b in corpus_bodies(None).items() for p in parse_api(b, d).papers]
    seen = SeenStore(tmp_path / "seen.json")
    last_visit = {p.id: (p.upvotes + (k % 5) - 2, None) for k, p in enumerate(listed[::3])}
    seen.before = dict(last_visit)
    seen.before_days = {listed[0].day}
    seen.since = sorted(p.day for p in listed)[-20]
    new = [p for p in listed if seen.is_new(p)]
    assert 0 < len(new) < len(listed)
    assert seen.count_new(listed) == len(new) == seen.count_new(iter(listed))
    gains = [g for p in listed if (g := seen.movement(p)) is not None]
    assert seen.largest_movement(listed) == max(gains) == seen.largest_movement(iter(listed))
    grown = next(p for p in listed if seen.movement(p) == max(gains))
    seen.before[grown.id] = (grown.upvotes - 40, None)
    assert seen.largest_movement(listed) == 40
    seen.record(listed[:100])
    seen.record(iter(listed[100:]))
    assert seen.now == {p.id: (p.upvotes, p.github_stars) for p in listed}
    assert seen.now_days == {p.day for p in listed}
