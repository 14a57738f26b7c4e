"""Shared fixtures. Every test gets private data/cache/config dirs and no route to the
internet: `PAPERTERM_BASE_URL` points at a closed loopback port unless a test starts the
fake site."""

from __future__ import annotations

import ast
import contextlib
import json
import os
import sys
import tarfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hfserver import FakeHF

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PAPERTERM_SHARED", REPO.parent / "shared"))
FIXTURES = SHARED / "fixtures" / "hf"
CORPUS_TAR = SHARED / "corpus" / "hf-daily-papers-2024-05-27_2026-08-21.tar.xz"

PAGE_2024 = FIXTURES / "papers_date_2024-08-01.html"
PAGE_2026 = FIXTURES / "papers_2026-09-28_rendered.html"
DAY_2024 = date(2024, 8, 1)
DAY_2026 = date(2026, 9, 28)


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    dirs = {name: tmp_path / name for name in ("data", "cache", "config")}
    monkeypatch.setenv("PAPERTERM_DATA_DIR", str(dirs["data"]))
    monkeypatch.setenv("PAPERTERM_CACHE_DIR", str(dirs["cache"]))
    monkeypatch.setenv("PAPERTERM_CONFIG_DIR", str(dirs["config"]))
    monkeypatch.delenv("PAPERTERM_CONFIG", raising=False)
    # Port 9 (discard) on loopback: refused at once; never the real site.
    monkeypatch.setenv("PAPERTERM_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("BROWSER", raising=False)
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    return dirs


@pytest.fixture
def fake_hf(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHF]:
    with FakeHF() as server:
        monkeypatch.setenv("PAPERTERM_BASE_URL", server.url)
        yield server


def load_corpus_file(path: Path) -> list[object]:
    """A corpus day as the API served it: the collector stored some items as Python reprs."""
    data = json.loads(path.read_bytes())
    if isinstance(data, dict):
        data = data.get("data", [])
    out = []
    for item in data:
        if isinstance(item, str):
            with contextlib.suppress(ValueError, SyntaxError):
                item = ast.literal_eval(item)
        out.append(item)
    return out


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CORPUS_TAR.exists():
        pytest.fail(f"corpus missing: {CORPUS_TAR} (set PAPERTERM_SHARED)")
    target = tmp_path_factory.mktemp("corpus")
    with tarfile.open(CORPUS_TAR) as tar:
        tar.extractall(target, filter="data")
    return target / "Paper_metadata_download"


THU, FRI, MON = date(2024, 8, 1), date(2024, 8, 2), date(2024, 8, 5)
MONDAY_9AM = datetime(2024, 8, 5, 9, tzinfo=UTC)
WEEKDAYS = [
    d for d in (date(2024, 7, 24) + timedelta(days=i) for i in range(13)) if d.weekday() < 5
]
"""Two and a half weeks of real corpus days around a Monday (2024-08-05)."""


def as_served_now(items: list[Any], day: date) -> list[Any]:
    """Corpus entries of 2024 lack `paper.submittedOnDailyAt`; today's API has it on every
    entry (the undated answer's newest day is read from it), so the fake site adds it."""
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("paper"), dict):
            item["paper"].setdefault("submittedOnDailyAt", f"{day}T00:00:00.000Z")
    return items


@pytest.fixture
def site(fake_hf: FakeHF, corpus_dir: Path) -> FakeHF:
    """The fake site serving WEEKDAYS from the corpus, as the API serves them today."""
    for day in WEEKDAYS:
        fake_hf.add_api_day(day, as_served_now(load_corpus_file(corpus_dir / f"{day}.json"), day))
    return fake_hf


def fixed_clock(when: datetime):  # type: ignore[no-untyped-def]
    return lambda: when


NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
