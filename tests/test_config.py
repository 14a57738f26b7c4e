"""Config, paths and the proxy environment: what a user sets is what happens."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DAY_2024, PAGE_2024
from hfserver import FakeHF

from paperterm import paths
from paperterm.config import DEFAULT_BASE_URL, load_config


def test_xdg_variables_move_every_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PAPERTERM_DATA_DIR", "PAPERTERM_CACHE_DIR", "PAPERTERM_CONFIG_DIR"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    assert paths.state_file() == tmp_path / "xdg-data" / "paperterm" / "state.toml"
    assert paths.cache_dir() == tmp_path / "xdg-cache" / "paperterm"
    assert paths.config_file() == tmp_path / "xdg-config" / "paperterm" / "config.toml"


def test_environment_overrides_win(private_dirs: dict[str, Path]) -> None:
    assert paths.data_dir() == private_dirs["data"]
    assert paths.cache_dir() == private_dirs["cache"]
    assert paths.config_file() == private_dirs["config"] / "config.toml"


def test_config_values_and_bad_values(
    private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAPERTERM_BASE_URL")
    private_dirs["config"].mkdir(parents=True)
    (private_dirs["config"] / "config.toml").write_text(
        'days = 5\nread_delay = 0\nsource = "rss"\ncolour = "blue"\ntimeout = "fast"\n'
        'base_url = "ftp://example.com"\n[keys]\nstar = "x"\n'
    )
    config = load_config()
    assert config.days == 5 and config.read_delay == 0.0 and config.keys == {"star": "x"}
    assert (
        config.source == "page" and config.timeout == 10.0 and config.base_url == DEFAULT_BASE_URL
    )
    problems = "\n".join(config.problems)
    for word in (
        "source must be",
        "unknown setting 'colour'",
        "timeout = 'fast' should be a number; the default 10.0 is used",
        "not an http",
    ):
        assert word in problems


def test_broken_config_file_uses_defaults(private_dirs: dict[str, Path]) -> None:
    private_dirs["config"].mkdir(parents=True)
    (private_dirs["config"] / "config.toml").write_text("days = [unclosed\n")
    config = load_config()
    assert config.days == 3 and "using defaults" in config.problems[0]


def test_base_url_from_environment(
    private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERTERM_BASE_URL", "http://127.0.0.1:8765")
    assert load_config().base_url == "http://127.0.0.1:8765"


async def test_proxy_environment_variables_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP_PROXY reaches the one client: requests go through the proxy, as absolute URLs."""
    from paperterm.fetch import Fetcher

    with FakeHF() as proxy:
        proxy.add_page(DAY_2024, PAGE_2024.read_bytes())
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with Fetcher("http://papers.example", attempts=1) as fetcher:
            response = await fetcher.get("/papers/date/2024-08-01")
        assert response.status == 200 and b"DailyPapers" in response.body
        assert proxy.requests == ["http://papers.example/papers/date/2024-08-01"]
