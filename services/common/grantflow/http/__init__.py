"""HTTP plumbing: JSON responses, the contract's error body, and the shared endpoints.

`api` is nameko's `http` entrypoint with one difference: a `Refused` raised anywhere in a
handler becomes `{"error": {"code", "detail"}}` with the status of `errors.HTTP_STATUS`, so
no handler builds an error response itself.

- `responses`: the JSON body and the contract's error body;
- `server`: the web server, which answers an unknown path or method with that error body too;
- `handler`: the `api` entrypoint (bearer token, role check, 403s into the audit trail) and
  `Caller`, the verified principal of a worker;
- `request`: query parameters, a JSON body's fields, a path's id and a posted CloudEvent, or
  `Refused` naming what is wrong, so that an entrypoint is validate, call, return;
- `health` and `observable`: what every service answers (`/metrics`, `/health/*`, the event
  log and the audit trail).
"""

from grantflow.http.handler import ApiHandler, Caller, api
from grantflow.http.observable import Observable
from grantflow.http.request import (
    body_date,
    body_int,
    cloudevent_body,
    json_object,
    not_in_future,
    posted_event,
    query_choice,
    query_date,
    query_int,
    query_text,
    query_year,
    visible_one,
)

__all__ = [
    "ApiHandler",
    "Caller",
    "Observable",
    "api",
    "body_date",
    "body_int",
    "cloudevent_body",
    "json_object",
    "not_in_future",
    "posted_event",
    "query_choice",
    "query_date",
    "query_int",
    "query_text",
    "query_year",
    "visible_one",
]
