"""Errors that services raise and both pages and the API translate."""


class ConflictError(Exception):
    """An operation not allowed in the object's current state (HTTP 409): accepting a draft, editing a locked report."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
