import json
import logging

from grantflow_tools import logs


def test_json_log_lines_carry_the_event_id(capsys):
    logs.configure("INFO", "json")
    logging.getLogger("grantflow.ingest").warning(
        "event dead-lettered", extra={"event_id": "kc74-2016-000031", "error_code": "not_json"}
    )
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["event_id"] == "kc74-2016-000031"
    assert line["error_code"] == "not_json"
    assert line["level"] == "WARNING"
    assert line["message"] == "event dead-lettered"
