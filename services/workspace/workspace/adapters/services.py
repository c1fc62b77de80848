"""The other services' public HTTP APIs (contracts/openapi.yaml), called with the signed-in
person's own token, so each service enforces roles and provinces as it always does."""

from __future__ import annotations

from typing import Any

import requests
import requests.adapters
from prometheus_client.parser import text_string_to_metric_families

from workspace.errors import BadInput, NotFound, SignInAgain, Unavailable

SERVICES = ("proposals", "disbursement", "notifications", "reporting")
POOL = 32  # connections kept per service


class ServiceApis:
    """`get`/`post`/`delete` on one service's `/api/v1/...`, raising the workspace's errors."""

    def __init__(self, urls: dict[str, str], timeout: float) -> None:
        self.urls = urls
        self.timeout = timeout
        self.http = requests.Session()
        # Kept-alive connections for the calls a page makes at once (a province page: 15).
        adapter = requests.adapters.HTTPAdapter(pool_connections=len(urls), pool_maxsize=POOL)
        self.http.mount("http://", adapter)
        self.http.mount("https://", adapter)

    def get(self, service: str, path: str, token: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return self._call("GET", service, path, token, params=clean)

    def post(self, service: str, path: str, token: str, body: Any = None) -> Any:
        return self._call("POST", service, path, token, json=body if body is not None else {})

    def delete(self, service: str, path: str, token: str) -> Any:
        return self._call("DELETE", service, path, token)

    def _call(self, method: str, service: str, path: str, token: str, **kw: Any) -> Any:
        url = self.urls[service] + path
        try:
            answer = self.http.request(
                method,
                url,
                headers={"Authorization": f"Bearer {token}"},
                timeout=self.timeout,
                **kw,
            )
        except requests.RequestException as exc:
            raise Unavailable(f"{service}: {exc.__class__.__name__}") from None
        if answer.status_code < 400:
            return answer.json() if answer.content else None
        detail = _detail(answer)
        if answer.status_code == 401:
            raise SignInAgain(detail)
        if answer.status_code in (403, 404):
            raise NotFound(detail)
        if answer.status_code in (400, 409, 422):
            raise BadInput(detail)
        raise Unavailable(f"{service} answered {answer.status_code}: {detail}")

    def outbox_backlog(self) -> dict[str, int | None]:
        """Each service's `grantflow_outbox_backlog_events` from its /metrics (None: no answer)."""
        backlog: dict[str, int | None] = {}
        for service in SERVICES:
            try:
                text = self.http.get(self.urls[service] + "/metrics", timeout=self.timeout).text
            except requests.RequestException:
                backlog[service] = None
                continue
            total = 0
            for family in text_string_to_metric_families(text):
                if family.name == "grantflow_outbox_backlog_events":
                    total += int(sum(s.value for s in family.samples))
            backlog[service] = total
        return backlog


def _detail(answer: requests.Response) -> str:
    try:
        return str(answer.json()["error"]["detail"])
    except (ValueError, KeyError, TypeError):
        return answer.text[:200]
