"""Errors with stable codes, and the one table that maps them to HTTP status.

`Refused` and `Early` are the domain's (`grantflow.domain.refusals`); they are named here too
so that adapters and entrypoints need one import.
"""

from __future__ import annotations

from http import HTTPStatus

from grantflow.domain.refusals import Early, Refused

__all__ = ["HTTP_STATUS", "Early", "Refused", "http_status"]


def failure_text(exc: BaseException, limit: int = 300) -> str:
    """What a failure says where others read it (dead-letter headers, the audit trail, an HTTP
    body): its class and the database's one-line message, never the SQL statement, its
    parameters or the failing row (the data of the other events of a batch)."""
    orig = getattr(exc, "orig", None)  # a database error wrapped by SQLAlchemy
    cause = orig if isinstance(orig, BaseException) else exc
    diag = getattr(cause, "diag", None)
    message = getattr(diag, "message_primary", None) or str(cause)
    line = (message.strip().splitlines() or [""])[0]
    line = line.split("[SQL:", 1)[0].strip()
    return f"{type(cause).__name__}: {line}"[:limit]


HTTP_STATUS: dict[str, int] = {
    "unauthenticated": HTTPStatus.UNAUTHORIZED,
    "forbidden": HTTPStatus.FORBIDDEN,
    "not_json": HTTPStatus.BAD_REQUEST,
    "too_deep": HTTPStatus.BAD_REQUEST,
    "too_large": HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    "unreadable": HTTPStatus.BAD_REQUEST,
    "bad_retry_header": HTTPStatus.BAD_REQUEST,
    "unstorable": HTTPStatus.UNPROCESSABLE_ENTITY,
    "not_cloudevent": HTTPStatus.BAD_REQUEST,
    "unknown_type": HTTPStatus.BAD_REQUEST,
    "unsupported_media_type": HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    "bad_query": HTTPStatus.BAD_REQUEST,
    "as_of_in_future": HTTPStatus.BAD_REQUEST,
    "schema_violation": HTTPStatus.UNPROCESSABLE_ENTITY,
    "amount_not_integer": HTTPStatus.UNPROCESSABLE_ENTITY,
    "unknown_province": HTTPStatus.UNPROCESSABLE_ENTITY,
    "not_found": HTTPStatus.NOT_FOUND,
    "no_iati_activity": HTTPStatus.NOT_FOUND,
    "method_not_allowed": HTTPStatus.METHOD_NOT_ALLOWED,
    "unknown_proposal": HTTPStatus.CONFLICT,
    "illegal_transition": HTTPStatus.CONFLICT,
    "not_accepted": HTTPStatus.CONFLICT,
    "prerequisite_missing": HTTPStatus.CONFLICT,
    "over_ceiling": HTTPStatus.UNPROCESSABLE_ENTITY,
    "approved_over_request": HTTPStatus.UNPROCESSABLE_ENTITY,
    "contract_over_approved": HTTPStatus.UNPROCESSABLE_ENTITY,
    "tranches_mismatch": HTTPStatus.UNPROCESSABLE_ENTITY,
    "repayments_mismatch": HTTPStatus.UNPROCESSABLE_ENTITY,
    "settlement_over_contract": HTTPStatus.UNPROCESSABLE_ENTITY,
    "dates_out_of_order": HTTPStatus.UNPROCESSABLE_ENTITY,
    "subject_mismatch": HTTPStatus.UNPROCESSABLE_ENTITY,
    "proposal_keys_changed": HTTPStatus.CONFLICT,
    "decision_reserved": HTTPStatus.FORBIDDEN,
    "unknown_commitment": HTTPStatus.CONFLICT,
    "voucher_used": HTTPStatus.CONFLICT,
    "over_contract": HTTPStatus.UNPROCESSABLE_ENTITY,
    "over_advance_cap": HTTPStatus.UNPROCESSABLE_ENTITY,
    "not_recoverable": HTTPStatus.UNPROCESSABLE_ENTITY,
    "over_repayment": HTTPStatus.UNPROCESSABLE_ENTITY,
    "over_settlement": HTTPStatus.UNPROCESSABLE_ENTITY,
    "paid_after_cancellation": HTTPStatus.UNPROCESSABLE_ENTITY,
    "handler_error": HTTPStatus.INTERNAL_SERVER_ERROR,
    "invalid_recipient": HTTPStatus.UNPROCESSABLE_ENTITY,
    "recipient_exists": HTTPStatus.CONFLICT,
    "recipient_from_file": HTTPStatus.CONFLICT,
    "invalid_silence": HTTPStatus.UNPROCESSABLE_ENTITY,
    "unknown_beneficiary": HTTPStatus.CONFLICT,
    "tax_code_taken": HTTPStatus.UNPROCESSABLE_ENTITY,
    "kind_changed": HTTPStatus.UNPROCESSABLE_ENTITY,
    "not_a_craft_village": HTTPStatus.UNPROCESSABLE_ENTITY,
    "already_supported": HTTPStatus.CONFLICT,
}


def is_conflict(exc: BaseException) -> bool:
    """Whether PostgreSQL rolled the transaction back for a clash with another one (a
    deadlock, a serialization failure: SQLSTATE class 40): the same batch, applied again
    at once, goes through; nothing in it is wrong."""
    code = getattr(getattr(exc, "orig", None), "pgcode", None)
    return isinstance(code, str) and code.startswith("40")


def is_data_error(exc: BaseException) -> bool:
    """Whether the database refused what one event holds (a value out of range, text it
    cannot store) rather than failing as a whole (connection lost, server down): the event
    is then dead-lettered as `unstorable`, and its batch-mates are applied without it."""
    from sqlalchemy import exc as db

    if isinstance(exc, (db.OperationalError, db.InterfaceError, db.DisconnectionError)):
        return False
    if isinstance(exc, (db.DataError, db.IntegrityError)):
        return True
    cause = exc.orig if isinstance(exc, db.StatementError) else exc
    return isinstance(cause, (ValueError, OverflowError, UnicodeError, TypeError))


def unstorable(exc: BaseException) -> Refused:
    """`Refused('unstorable')` naming what the database said, without the SQL parameters."""
    return Refused("unstorable", f"the database cannot store this event: {failure_text(exc)}")


def http_status(code: str) -> int:
    return int(HTTP_STATUS.get(code, HTTPStatus.UNPROCESSABLE_ENTITY))
