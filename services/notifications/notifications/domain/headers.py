"""Header values that cannot inject headers, addresses that are addresses, stable Message-IDs.

Python 3.11.7 is affected by CVE-2024-6923: a newline inside a header value, also one hidden
in an RFC 2047 encoded word (``=?utf-8?q?=0D=0ABcc:...?=``) that the email package decodes
when it parses an address, is written out unquoted and starts a new header. So every value is
decoded first, then stripped of CR, LF and every other control character, and addresses are
built with `email.headerregistry.Address` rather than parsed from text. An address typed by a
person is checked by `notifications.adapters.addresses` (the email-validator library).
"""

from __future__ import annotations

import hashlib
import re
from email.errors import HeaderParseError
from email.header import Header, decode_header
from email.headerregistry import Address

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MAX_HEADER = 900  # RFC 5322 allows 998 per line; a value this long is already a mistake


def clean_header(value: object, limit: int = _MAX_HEADER) -> str:
    """One line of printable text: ``clean_header("Lan\\r\\nBcc: x@y")`` -> ``"Lan Bcc: x@y"``.

    Encoded words are decoded one by one, so text around them may hold any character (every
    Vietnamese name does: `email.header.decode_header` gives up on such text, and the email
    package would decode the word itself when writing the header). Every `=?` left after that
    is broken up, so nothing the email package reads as an encoded word remains.
    """
    text = str(value)
    for _ in range(3):  # an encoded word may hide another one
        decoded = _ENCODED_WORD.sub(_decoded_word, text)
        if decoded == text:
            break
        text = decoded
    text = _CONTROLS.sub(" ", text)
    text = text.replace("=?", "= ?")  # what still opens an encoded word never opens one
    return " ".join(text.split())[:limit]


def folded(name: str, value: str, width: int = 78) -> str:
    """A cleaned header value folded here, for `EmailMessage.set_raw`: its first words on the
    header's own line, plain ASCII as it is, anything else as RFC 2047 encoded words.

    The email package's own folding moves a long ASCII value whole onto a continuation line
    (`Subject:` CRLF SP `[Warning] …`), which a reader then sees with a leading space.
    """
    return Header(clean_header(value), header_name=name, maxlinelen=width).encode(linesep="\r\n")


# RFC 2047: =?charset?encoding?encoded-text?= (ASCII only, no spaces or '?' inside).
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def _decoded_word(match: re.Match[str]) -> str:
    word = match.group(0)
    try:
        ((raw, charset),) = decode_header(word)
        if isinstance(raw, str):
            return raw
        return str(raw.decode(charset or "ascii", errors="replace"))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return word.replace("=?", "= ?")  # undecodable: never to be decoded later either


def address(name: str, email: str) -> Address:
    """A To/From address: the display name cleaned, the address as it was checked when the
    recipient was made (`adapters.addresses.checked_email`); one that could start a header
    or is not one address is a ValueError."""
    if clean_header(email, 320) != email:
        raise ValueError(f"{email!r} is not an email address")
    return Address(display_name=clean_header(name, 200), addr_spec=email)


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].lower()


def message_id(key: tuple[str, ...], domain: str) -> str:
    """A Message-ID that is a function of the delivery key: the same email, the same id."""
    digest = hashlib.sha256("\x1f".join(key).encode("utf-8")).hexdigest()[:40]
    return f"<{digest}@{clean_header(domain, 200) or 'grantflow.invalid'}>"
