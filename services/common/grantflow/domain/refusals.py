"""A rule's answer when it will not apply an event or a command.

A `Refused` event is never applied: it is dead-lettered with its code. An `Early` event may
become applicable once its prerequisite arrives, so it is retried inside the window first.
The HTTP status of each code is `grantflow.errors.HTTP_STATUS`.
"""

from __future__ import annotations


class Refused(Exception):
    """An event or command that breaks a rule; `code` is stable, `detail` is for a person."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class Early(Refused):
    """Valid, but its prerequisite has not been applied yet (e.g. progress before contract)."""
