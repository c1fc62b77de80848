"""What a page can fail with; `web` turns each into a page of its own."""

from __future__ import annotations


class PageError(Exception):
    status = 500
    key = "error_failed"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(PageError):
    """Nothing here, or nothing this person may see (a 403 from a service reads the same)."""

    status = 404
    key = "error_not_found"


class BadInput(PageError):
    status = 400
    key = "error_bad_input"


class Forbidden(PageError):
    status = 403
    key = "error_forbidden"


class SignInAgain(PageError):
    """The person's token was refused (expired): back to the sign-in page."""

    status = 401
    key = "error_sign_in"


class Unavailable(PageError):
    status = 502
    key = "error_unavailable"
