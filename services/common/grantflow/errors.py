"""Errors with stable codes, and the one table that maps them to HTTP status.

A `Refused` event is never applied: it is dead-lettered with its code. An `Early` event may
become applicable once its prerequisite arrives, so it is retried inside the window first.
"""

from __future__ import annotations

from http import HTTPStatus


class Refused(Exception):
    """An event or command that breaks a rule; `code` is stable, `detail` is for a person."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class Early(Refused):
    """Valid, but its prerequisite has not been applied yet (e.g. progress before contract)."""


HTTP_STATUS: dict[str, int] = {
    "unauthenticated": HTTPStatus.UNAUTHORIZED,
    "forbidden": HTTPStatus.FORBIDDEN,
    "not_json": HTTPStatus.BAD_REQUEST,
    "not_cloudevent": HTTPStatus.BAD_REQUEST,
    "unknown_type": HTTPStatus.BAD_REQUEST,
    "unsupported_media_type": HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    "bad_query": HTTPStatus.BAD_REQUEST,
    "schema_violation": HTTPStatus.UNPROCESSABLE_ENTITY,
    "amount_not_integer": HTTPStatus.UNPROCESSABLE_ENTITY,
    "unknown_province": HTTPStatus.UNPROCESSABLE_ENTITY,
    "not_found": HTTPStatus.NOT_FOUND,
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
    "unknown_commitment": HTTPStatus.CONFLICT,
    "voucher_used": HTTPStatus.CONFLICT,
    "over_contract": HTTPStatus.UNPROCESSABLE_ENTITY,
    "over_advance_cap": HTTPStatus.UNPROCESSABLE_ENTITY,
    "not_recoverable": HTTPStatus.UNPROCESSABLE_ENTITY,
    "over_repayment": HTTPStatus.UNPROCESSABLE_ENTITY,
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


def http_status(code: str) -> int:
    return int(HTTP_STATUS.get(code, HTTPStatus.UNPROCESSABLE_ENTITY))
