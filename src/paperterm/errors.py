"""Network errors, kept apart from fetch.py so that importing them does not import httpx
(which costs ~40 ms of start-up before the first paint)."""

from __future__ import annotations


class FetchError(Exception):
    """A request that did not give a usable answer; the message is fit to show a user."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class NotFound(FetchError):
    pass


class RateLimited(FetchError):
    pass
