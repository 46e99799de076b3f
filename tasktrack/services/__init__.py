"""Domain operations. They flush but never commit: the view, CLI command or job commits once."""


class ServiceError(Exception):
    """A refused operation; ``str(e)`` is a Chinese message for the user."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class NotFound(ServiceError):
    """The object asked for does not exist."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_found")


class Conflict(ServiceError):
    """The request conflicts with the current state (duplicate, stale form)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code="conflict")
