"""Sending one email: over SMTP (plain, STARTTLS or implicit TLS, with login), or as an .eml file.

SMTP cannot promise exactly once: the connection can break between the final dot and the 250.
So a delivery is retried on what may pass (connection errors, 4xx) with exponential back-off
and jitter, never on a 5xx, and its Message-ID stays the same on every attempt.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from notifications.config import NotifySettings


class SendFailed(Exception):
    """The server or the network said no; `code` is the SMTP reply code, 0 when there was none."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"{code} {detail}" if code else detail)
        self.code = code
        self.detail = detail


class Transient(SendFailed):
    """Worth another try: no connection, a 4xx reply."""


class Permanent(SendFailed):
    """Another try gives the same answer: a 5xx reply, a refused certificate."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    message_id: str
    sender: str  # envelope sender (addr-spec)
    recipient: str  # envelope recipient (addr-spec): the only one, whatever the headers say
    data: bytes  # the whole message, CRLF line ends


class Mailer(Protocol):
    def send(self, out: Outgoing) -> str: ...


class SmtpMailer:
    def __init__(self, cfg: NotifySettings) -> None:
        self.host, self.port, self.security = cfg.smtp_host, cfg.port, cfg.smtp_security
        self.username = cfg.smtp_username
        self.password = cfg.smtp_password.get_secret_value()
        self.timeout = cfg.smtp_timeout_seconds

    def send(self, out: Outgoing) -> str:
        try:
            with self._connect() as smtp:
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.sendmail(out.sender, [out.recipient], out.data)
                return f"accepted by {self.host}:{self.port}"
        except Exception as exc:
            raise classify(exc) from exc

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def classify(exc: BaseException) -> SendFailed:
    """A 4xx or a network error is transient; a 5xx or a refused certificate is permanent."""
    if isinstance(exc, SendFailed):
        return exc
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (0, b"recipient refused"))
        return _by_code(int(code), _text(text))
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(int(exc.smtp_code), _text(exc.smtp_error))
    if isinstance(exc, (ssl.SSLCertVerificationError, smtplib.SMTPNotSupportedError)):
        return Permanent(0, f"{type(exc).__name__}: {exc}")
    return Transient(0, f"{type(exc).__name__}: {exc}")  # refused, reset, timed out, gone


def _by_code(code: int, text: str) -> SendFailed:
    return Permanent(code, text) if 500 <= code < 600 else Transient(code, text)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class FileMailer:
    """No SMTP configured: each message becomes `<MAIL_DIR>/<message id>.eml`.

    The file name comes from the Message-ID, so writing the same email twice leaves one file.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, out: Outgoing) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", out.message_id.strip("<>"))[:120] + ".eml"
        path = self.directory / name
        temporary = path.with_suffix(".eml.tmp")
        temporary.write_bytes(out.data)
        os.replace(temporary, path)
        return f"written to {path}"


def mailer_for(cfg: NotifySettings) -> Mailer:
    return SmtpMailer(cfg) if cfg.smtp_host else FileMailer(cfg.mail_dir)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int
    initial: float
    maximum: float

    @classmethod
    def of(cls, cfg: NotifySettings) -> RetryPolicy:
        return cls(
            cfg.smtp_max_attempts, cfg.smtp_retry_initial_seconds, cfg.smtp_retry_max_seconds
        )


def deliver(
    mailer: Mailer,
    out: Outgoing,
    policy: RetryPolicy,
    on_attempt: Callable[[float, SendFailed | None], None],
) -> tuple[str, int]:
    """Send with retries on transient failures; returns (server's word, attempts made).

    Raises `Permanent` at once, or `Transient` once the attempts are spent. `on_attempt` hears
    of every attempt with its duration and its failure (None when it went through).
    """
    retrying = Retrying(
        retry=retry_if_exception_type(Transient),
        stop=stop_after_attempt(policy.attempts),
        wait=wait_exponential_jitter(
            initial=policy.initial, max=policy.maximum, jitter=policy.initial
        ),
        reraise=True,
    )

    made = 0

    def attempt() -> str:
        nonlocal made
        made += 1
        started = time.perf_counter()
        try:
            said = mailer.send(out)
        except SendFailed as failure:
            on_attempt(time.perf_counter() - started, failure)
            raise
        on_attempt(time.perf_counter() - started, None)
        return said

    return retrying(attempt), made
