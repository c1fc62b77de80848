"""The web server every `api` entrypoint shares: nameko's, speaking the contract's errors."""

from __future__ import annotations

import socket
from typing import Any

from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from grantflow.http.responses import error_response

ROUTING_CODES = {404: "not_found", 405: "method_not_allowed"}


class JsonWsgiApp(WsgiApp):
    """nameko's WSGI app, but an unknown path or method gets the contract's error body too."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ, shallow=True)  # as nameko does: nothing reads the body yet
        try:
            provider, values = self.url_map.bind_to_environ(environ).match()
        except HTTPException as exc:
            code = ROUTING_CODES.get(exc.code or 400, "bad_request")
            response = error_response(code, exc.description or code, exc.code)
            return response(environ, start_response)
        request.path_values = values  # type: ignore[attr-defined]  # as nameko's own WsgiApp
        return provider.handle_request(request)(environ, start_response)


class JsonWebServer(WebServer):
    def get_wsgi_app(self) -> JsonWsgiApp:
        return JsonWsgiApp(self)

    def get_wsgi_server(self, sock: Any, wsgi_app: Any, *args: Any, **kwargs: Any) -> Any:
        # Connections accepted from this socket inherit TCP_NODELAY: on a kept-alive
        # connection a response written in two parts (headers, then the body) would otherwise
        # wait for the client's delayed ACK, about 40 ms, under Nagle's algorithm.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return super().get_wsgi_server(sock, wsgi_app, *args, **kwargs)
