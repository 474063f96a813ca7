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


class FieldValidationError(ApplicationError):
    """Bad input; `errors` maps field names to Swedish messages (API 400, form errors)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(str(message) for message in errors.values()))
        self.errors = errors


def full_clean_or_raise(obj, *, exclude=(), error_class: type[FieldValidationError] = FieldValidationError) -> None:
    """Runs the model's validators (personnummer guard, lengths, choices) and raises
    `error_class` with one message per field instead of Django's ValidationError."""
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise error_class({k: " ".join(v) for k, v in exc.message_dict.items()}) from exc
