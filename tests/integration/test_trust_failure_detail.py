"""A batch that breaks the database transaction tells why in one line, never with the SQL
statement or its parameters: the other events of the batch stay out of the dead letter's
headers and the audit trail (issue 12, section 3)."""

from __future__ import annotations

from sqlalchemy import text

from grantflow.errors import failure_text
from tests.support import events
from tests.support.broker import DEAD
from tests.support.services import ServiceProcess
from tests.support.waiting import wait_until

SECRET_TITLE = "Đề án mật của tỉnh Bình Dương"


def test_a_failed_batch_copies_no_sql_parameters_into_dead_letters_or_the_audit_trail(
    clean, engine, amqp_uri, database_url
):
    env = {
        "AMQP_URI": amqp_uri,
        "DATABASE_URL": database_url,
        "INGEST_RETRY_WINDOW_SECONDS": "1",
        "INGEST_RETRY_DELAYS_SECONDS": "0.2",
        "INGEST_BATCH_LINGER_MS": "300",
    }
    # The contract now refuses what would break a column before the database sees it, so the
    # database is made to refuse one title itself; its batch-mate holds the secret title.
    with engine.begin() as conn:
        conn.execute(
            text(
                "ALTER TABLE proposals_proposal ADD CONSTRAINT no_poison "
                "CHECK (title NOT LIKE 'poison%')"
            )
        )
    service = ServiceProcess("proposals", env).start()
    try:
        good = events.submitted("FD-1", title=SECRET_TITLE)
        bad = events.submitted("FD-2", title="poison " + "x" * 40)
        clean.publish_all([good, bad])
        wait_until(lambda: clean.depth(DEAD) >= 1, 30, "the bad event's dead letter")
        letters = clean.get_all(DEAD)
        with engine.connect() as conn:
            details = [
                r.detail
                for r in conn.execute(
                    text("SELECT detail FROM proposals_audit WHERE outcome = 'refused'")
                )
            ]
    finally:
        service.stop()
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE proposals_proposal DROP CONSTRAINT no_poison"))
    said = [str(m.headers.get("x-error-detail")) for m in letters] + details
    assert said and all(m.headers["x-error-code"] == "unstorable" for m in letters)
    assert len(letters) == 1, "the bad event alone is dead-lettered; its batch-mate applied"
    for text_ in said:
        assert "[SQL" not in text_ and "parameters" not in text_, text_
        assert SECRET_TITLE not in text_ and "INSERT" not in text_, text_
        assert "xxxxxxxx" not in text_, text_


def test_failure_text_keeps_the_databases_one_line_message():
    class Diag:
        message_primary = "value too long for type character varying(200)"

    class DataError(Exception):
        diag = Diag()

    class Wrapped(Exception):
        orig = DataError("value too long\nDETAIL: Failing row contains (secret)")

    assert failure_text(Wrapped("[SQL: INSERT ...]")) == (
        "DataError: value too long for type character varying(200)"
    )
    assert failure_text(KeyError("x")) == "KeyError: 'x'"
