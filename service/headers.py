"""Security headers and the request's language, as a pure ASGI middleware.

Per request: :data:`service.i18n.CURRENT_LANGUAGE` is set from ``?lang=`` or the language cookie,
and every response gets the security headers, the Content-Security-Policy (the API docs page its
own), ``Cache-Control: no-store`` outside static files and, over HTTPS, HSTS — each only where the
route did not set it. Pure ASGI (no ``BaseHTTPMiddleware``): no extra task or body stream per request.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, headers: dict[str, str], csp: str, csp_docs: str) -> None:
        self.app = app
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        self.csp, self.csp_docs = csp.encode("latin-1"), csp_docs.encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from service.i18n import CURRENT_LANGUAGE, request_language

        CURRENT_LANGUAGE.set(request_language(Request(scope)))
        path = scope["path"]
        extra = [*self.headers, (b"content-security-policy", self.csp_docs if path == "/docs" else self.csp)]
        if not path.startswith(("/static", "/swagger-ui")):
            extra.append((b"cache-control", b"no-store"))
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=31536000"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
