"""Which URLs paperterm will hand to a browser: http(s) with a host, and nothing odd."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_BAD_CHARS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\\\"'<>`]")


class UnsafeURL(ValueError):
    """A URL we refuse to open, with the reason as its message."""


def check_url(url: object) -> str:
    """Return `url` if it is safe to open in a browser, else raise `UnsafeURL` saying why."""
    if not isinstance(url, str) or not url:
        raise UnsafeURL("empty link")
    if url.startswith("-"):
        raise UnsafeURL("link starts with '-'")
    if _BAD_CHARS.search(url):
        raise UnsafeURL("link contains whitespace, quotes or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a malformed port
    except ValueError as error:
        raise UnsafeURL(f"malformed link ({error})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeURL(f"only http and https links are opened, not {parts.scheme or 'none'}:")
    if not parts.hostname:
        raise UnsafeURL("link has no host")
    if "@" in parts.netloc:
        raise UnsafeURL("link carries a user name or password")
    del port
    return url


def safe_url(url: object) -> str | None:
    """`url` if it may be opened, else None: used when building records from scraped data."""
    try:
        return check_url(url)
    except UnsafeURL:
        return None
