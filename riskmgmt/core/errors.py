"""Domain errors. Views answer them with a Swedish message; the API maps them to 400/409."""

from __future__ import annotations


class ApplicationError(Exception):
    """A rule of the domain refused the request; `message` is shown to the user as is."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.missing = list(missing or [])


class TransitionNotAllowedError(ApplicationError):
    """A transition is not available from the current status, or one of its guards failed."""

    status_code = 409
    code = "transition_not_allowed"


class ConcurrentChangeError(ApplicationError):
    """Someone else changed the object first (optimistic locking on the status field)."""

    status_code = 409
    code = "concurrent_change"
