"""Email addresses people type, checked by the email-validator library: syntax and domain form
only (no DNS look-up: the ministry's mail may be internal)."""

from __future__ import annotations

from email.errors import HeaderParseError
from email.headerregistry import Address

from email_validator import EmailNotValidError, validate_email

from notifications.domain.headers import clean_header


def checked_email(value: str) -> str:
    """The normalised address, or ValueError saying what is wrong with it."""
    text = clean_header(value, 320)
    if text != str(value).strip():
        raise ValueError("an email address cannot contain control characters or line breaks")
    try:
        normalized = validate_email(text, check_deliverability=False).normalized
        Address(addr_spec=normalized)  # the email package agrees it is one address
    except (EmailNotValidError, ValueError, IndexError, HeaderParseError) as exc:
        raise ValueError(f"{text!r} is not an email address: {exc}") from None
    return str(normalized)
