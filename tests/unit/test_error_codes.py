"""The README's error-code table is current: every code the services can give is in it, with
the HTTP status `grantflow.errors.HTTP_STATUS` answers for it."""

from __future__ import annotations

import re
from pathlib import Path

from grantflow.errors import HTTP_STATUS

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| `([a-z_]+)` \| ([0-9]{3}|–) \| ([a-z –]+) \|", re.M)
RAISED = re.compile(r"(?:Refused|Early)\(\s*\"([a-z_]+)\"")


def table() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Error codes", 1)[1].split("\n## ", 1)[0]
    return {code: status for code, status, _ in ROW.findall(section)}


def test_every_code_with_an_http_status_is_in_the_table_with_that_status():
    rows = table()
    missing = sorted(set(HTTP_STATUS) - set(rows))
    assert not missing, f"README's error-code table lacks {missing}"
    wrong = {c: (rows[c], int(s)) for c, s in HTTP_STATUS.items() if rows[c] != str(int(s))}
    assert not wrong, f"README says another HTTP status than HTTP_STATUS: {wrong}"


def test_every_code_a_service_raises_is_in_the_table():
    raised = {
        code
        for path in (ROOT / "services").rglob("*.py")
        for code in RAISED.findall(path.read_text(encoding="utf-8"))
    }
    missing = sorted(raised - set(table()))
    assert not missing, f"README's error-code table lacks codes the code raises: {missing}"
