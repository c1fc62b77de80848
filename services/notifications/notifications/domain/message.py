"""An email as it goes on the wire: the rendered subject, text and HTML made into an RFC 5322
message (CRLF line ends, quoted-printable UTF-8 parts). Every header value goes through
`clean_header`; addresses are `Address` objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from notifications.domain.headers import address, clean_header, folded
from notifications.domain.model import Recipient


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


def compose(
    rendered: Rendered,
    sender: Address,
    to: Recipient,
    message_id: str,
    now: datetime,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    group: str | None = None,
) -> bytes:
    """The message as it goes on the wire (CRLF line ends, quoted-printable UTF-8 parts)."""
    msg = EmailMessage(policy=SMTP)
    msg.set_raw("Subject", folded("Subject", rendered.subject))
    msg["From"] = Address(clean_header(sender.display_name, 200), addr_spec=sender.addr_spec)
    msg["To"] = address(to.name, to.email)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = clean_header(message_id)
    if in_reply_to:
        msg["In-Reply-To"] = clean_header(in_reply_to)
        msg["References"] = clean_header(" ".join(references or (in_reply_to,)))
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to an alert
    msg["X-Auto-Response-Suppress"] = "All"
    msg["Content-Language"] = clean_header(to.language)
    if group:
        msg["X-Grantflow-Group"] = clean_header(group)
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return bytes(msg.as_bytes())
