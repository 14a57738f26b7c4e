"""Network errors, kept apart from fetch.py so that importing them does not import httpx
(which costs ~40 ms of start-up before the first paint)."""

from __future__ import annotations

from paperterm.text import clean_line


class FetchError(Exception):
    """A request that did not give a usable answer; the message is fit to show a user.

    Messages quote what the server sent (a redirect's Location, a reason phrase), so they
    are cleaned like scraped text here, once, before any of them reaches a terminal.
    """

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(clean_line(message, 500))
        self.status = status
        self.retry_after = retry_after


class NotFound(FetchError):
    pass


class RateLimited(FetchError):
    pass
