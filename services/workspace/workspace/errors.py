"""What a page can fail with; `web` turns each into a page of its own (its HTTP status, and the
heading words.yaml gives its key)."""

from __future__ import annotations


class PageError(Exception):
    status = 500
    key = "error_failed"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


def _kind(name: str, status: int, doc: str) -> type[PageError]:
    key = "error_" + "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return type(name, (PageError,), {"status": status, "key": key, "__doc__": doc})


NotFound = _kind(
    "NotFound",
    404,
    "Nothing here, or nothing this person may see (a 403 from a service reads the same).",
)
BadInput = _kind("BadInput", 400, "A form or filter value that cannot be read.")
Forbidden = _kind(
    "Forbidden",
    403,
    "A form without this session's CSRF token, or a sign-in "
    "the identity provider's answer does not bear out.",
)
SignInAgain = _kind(
    "SignInAgain", 401, "The person's token was refused (expired): back to the sign-in page."
)
Unavailable = _kind("Unavailable", 502, "A service did not answer, or failed.")
