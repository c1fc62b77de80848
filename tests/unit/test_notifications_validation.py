"""Recipients and silences as people write them, checked before they are used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from notifications.adapters.addresses import checked_email
from notifications.domain.validation import Invalid, recipient_from, silence_from
from notifications.handlers.commands import parse_recipients_file

NOW = datetime(2016, 12, 20, 1, 0, tzinfo=UTC)
EXAMPLE = Path(__file__).resolve().parents[2] / "services/notifications/recipients.example.yaml"


def test_a_recipient_gets_defaults_and_normalised_lists():
    r = recipient_from(
        {"name": " Nguyễn  Thị Lan ", "email": "lan@example.com"}, "r1", "api", checked_email
    )
    assert (r.name, r.language, r.provinces, r.kinds, r.digest) == (
        "Nguyễn Thị Lan",
        "vi",
        ("all",),
        ("all",),
        False,
    )
    r = recipient_from(
        {"name": "Minh", "email": "minh@example.com", "provinces": ["80", "74", "80"],
         "kinds": ["tranche_overdue", "all"], "language": "en", "digest": True},
        "r2", "file", checked_email,
    )  # fmt: skip
    assert (r.provinces, r.kinds, r.origin) == (("80", "74"), ("all",), "file")


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ({"email": "x@example.com"}, "name is required"),
        ({"name": "X", "email": "x"}, "email"),
        ({"name": "X", "email": "x@example.com", "provinces": []}, "provinces"),
        ({"name": "X", "email": "x@example.com", "provinces": ["99"]}, "99"),
        ({"name": "X", "email": "x@example.com", "provinces": "the_moon"}, "the_moon"),
        ({"name": "X", "email": "x@example.com", "kinds": ["weather"]}, "weather"),
        ({"name": "X", "email": "x@example.com", "language": "fr"}, "language"),
        ({"name": "X", "email": "x@example.com", "digest": "yes"}, "digest"),
        ({"name": "X", "email": "x@example.com", "colour": "red"}, "colour"),
        (["not", "an", "object"], "object"),
    ],
)
def test_a_bad_recipient_is_refused_naming_the_field(raw, says):
    with pytest.raises(Invalid, match=says):
        recipient_from(raw, "r", "api", checked_email)


def test_a_recipient_follows_codes_regions_and_kinds():
    from notifications.domain.model import Alert, Level, Status

    def alert(province, kind="province_lagging"):
        return Alert(f"{kind}:{province}", kind, province, 2016, "national", Level.WARNING,
                     Status.FIRING, 1, NOW, NOW, {"as_of": "2016-06-30"})  # fmt: skip

    south = recipient_from(
        {"name": "M", "email": "m@example.com", "provinces": "south_2016"},
        "m",
        "api",
        checked_email,
    )
    assert (
        south.follows(alert("80")) and south.follows(alert("74")) and not south.follows(alert("01"))
    )
    only = recipient_from(
        {"name": "B", "email": "b@example.com", "kinds": ["refund_due"]}, "b", "api", checked_email
    )
    assert only.follows(alert("01", "refund_due")) and not only.follows(alert("01"))


def test_a_silence_needs_a_matcher_a_comment_and_a_future_end():
    ends = (NOW + timedelta(days=40)).isoformat()
    s = silence_from({"province": "80", "ends_at": ends, "comment": "Khóa sổ"}, "s1", NOW)
    assert (s.province, s.kind, s.starts_at, s.comment) == ("80", None, NOW, "Khóa sổ")
    for raw, says in [
        ({"ends_at": ends, "comment": "x"}, "province, a kind"),
        ({"province": "80", "comment": "x"}, "ends_at is required"),
        ({"province": "80", "ends_at": ends}, "comment is required"),
        ({"province": "80", "ends_at": "2016-12-31T00:00:00", "comment": "x"}, "offset"),
        ({"province": "80", "ends_at": "2016-01-01T00:00:00+07:00", "comment": "x"}, "after"),
        ({"kind": "weather", "ends_at": ends, "comment": "x"}, "kind"),
        ({"province": "8", "ends_at": ends, "comment": "x"}, "province"),
    ]:
        with pytest.raises(Invalid, match=says):
            silence_from(raw, "s", NOW)


def test_the_shipped_example_file_is_valid():
    found = parse_recipients_file(EXAMPLE)
    assert len(found) == 5 and {r.origin for r in found} == {"file"}
    assert len({r.id for r in found}) == 5
    assert parse_recipients_file(EXAMPLE)[0].id == found[0].id  # ids stable across replicas


def test_a_file_listing_an_address_twice_is_refused(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(
        "recipients:\n  - {name: A, email: a@example.com}\n  - {name: B, email: a@example.com}\n"
    )
    with pytest.raises(ValueError, match="more than once"):
        parse_recipients_file(path)
