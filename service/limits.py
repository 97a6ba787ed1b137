"""Request limits, enforced before a body is read: size (413) and valid Unicode in JSON (400); coded refusals.

:class:`BodyLimits` is a pure ASGI middleware. A declared ``Content-Length`` over the limit is
refused on the first read, before any byte of the body is taken from the socket; a body
without a length (chunked) is counted as it streams and refused as soon as it passes the
limit. File uploads (``multipart/form-data``) get the upload limit of
:mod:`foundation.uploads` plus room for the multipart framing; everything else (JSON, form
posts) gets the smaller body limit. JSON bodies (bounded, so cheap to hold) are checked for
lone surrogates (``"\\ud800"``), which no UTF-8 text can hold: 400, never a 500 further on.

The refusals are :class:`RequestRefused` (an ``HTTPException`` with a message ``code``), so
the app's handlers render them as JSON for the API and as a page in the user's language. The
framework's own 404 (no such address) and 405 (wrong method) get their codes through :func:`coded`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from foundation.uploads import DEFAULT_LIMITS, MiB

MULTIPART_OVERHEAD = 256 * 1024


@dataclass(frozen=True)
class RequestLimits:
    """The body limits: one setting for JSON and forms, one for uploads."""

    max_body_bytes: int = 1 * MiB
    max_upload_bytes: int = DEFAULT_LIMITS.max_bytes + MULTIPART_OVERHEAD


class RequestRefused(HTTPException):
    """A request refused at the edge, with a message code and parameters for rendering."""

    def __init__(self, status_code: int, detail: str, *, code: str, params: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status_code, detail=detail, headers=headers)
        self.code = code
        self.params = params or {}


#: The framework's own refusals (no route at this address, or not for this method): their message codes.
FRAMEWORK_CODES = {404: "request.not_found", 405: "request.method_not_allowed"}


#: The methods a 405's ``Allow`` may list, in the order it lists them.
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """The methods some route answers at ``scope``'s path: the ``Allow`` of a 405 (RFC 9110, 15.5.6).

    The framework's 405 names only the first route at the path; a path with a route per method
    (``GET`` and ``POST /api/participants``) answers all of them.
    """
    return [method for method in HTTP_METHODS
            if any(route.matches({**scope, "method": method})[0] == Match.FULL for route in routes)]


def coded(exc: HTTPException, *, scope: Scope, routes: list[BaseRoute]) -> HTTPException:
    """A refusal of the framework itself (an ``HTTPException`` without a code) as a :class:`RequestRefused`,
    for the request of ``scope``; a 405's ``Allow`` names the :func:`allowed_methods` of its address.

    Others (a :class:`RequestRefused` already, or a status without a code here) are returned as they are.
    """
    if isinstance(exc, RequestRefused) or exc.status_code not in FRAMEWORK_CODES:
        return exc
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(routes, scope))
    return RequestRefused(exc.status_code, str(exc.detail), code=FRAMEWORK_CODES[exc.status_code],
                          params={"method": scope["method"]}, headers=headers or None)


def too_large(limit: int) -> RequestRefused:
    mib = round(limit / MiB, 1)
    return RequestRefused(413, f"The request is too large: at most {mib:g} MiB.", code="request.too_large",
                          params={"max_mib": f"{mib:g}"})


def invalid_unicode() -> RequestRefused:
    return RequestRefused(400, "The request holds invalid Unicode text (a lone surrogate).",
                          code="request.invalid_unicode")


def bad_length() -> RequestRefused:
    return RequestRefused(400, "Invalid Content-Length", code="request.bad_length")


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def has_lone_surrogate(value: Any) -> bool:
    """Whether a decoded JSON value holds a string with a lone surrogate anywhere."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(v) for v in value)
    return False


def json_safe(value: Any) -> Any:
    """``value`` with what JSON cannot carry (infinite or NaN numbers such as ``1e999``) as text."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _json_has_lone_surrogate(body: bytes) -> bool:
    if not _SURROGATE_ESCAPE.search(body):  # the only way a JSON text can carry one
        return False
    try:
        return has_lone_surrogate(json.loads(body))
    except ValueError:
        return False  # malformed JSON: the app answers 422 for that


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value
    return None


class BodyLimits:
    """ASGI middleware: body size limits before reading, lone surrogates in JSON refused."""

    def __init__(self, app: ASGIApp, limits: RequestLimits | None = None) -> None:
        self.app = app
        self.limits = limits or RequestLimits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ctype = (_header(scope, b"content-type") or b"").split(b";")[0].strip().lower()
        limit = self.limits.max_upload_bytes if ctype == b"multipart/form-data" else self.limits.max_body_bytes
        raw_length = _header(scope, b"content-length")
        try:
            declared = int(raw_length) if raw_length is not None else None
        except ValueError:
            declared = None
        if raw_length is not None and (declared is None or declared < 0):
            await self._refuse(scope, receive, send, bad_length())
            return
        state = {"seen": 0, "started": False, "refused": False}

        async def limited_receive() -> Message:
            if declared is not None and declared > limit:
                state["refused"] = True
                raise too_large(limit)
            message = await receive()
            if message["type"] == "http.request":
                state["seen"] += len(message.get("body", b""))
                if state["seen"] > limit:
                    state["refused"] = True
                    raise too_large(limit)
            return message

        if ctype == b"application/json" or ctype.endswith(b"+json"):
            limited_receive = await self._checked_json(limited_receive)

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except RequestRefused as exc:  # raised where no handler caught it (e.g. a middleware read the body)
            if state["started"]:
                raise
            await self._refuse(scope, receive, send, exc)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, exc: RequestRefused) -> None:
        """A refusal outside the app's handlers: its text in the API's language (JSON)."""
        from starlette.requests import Request

        from service.messages import api_language, message

        text = message(exc.code, exc.params, lang=api_language(Request(scope)), fallback=str(exc.detail))
        await JSONResponse({"detail": text, "code": exc.code}, status_code=exc.status_code)(scope, receive, send)

    @staticmethod
    async def _checked_json(receive: Receive) -> Receive:
        """Read the (bounded) JSON body now; refuse lone surrogates; replay it to the app."""
        refusal: RequestRefused | None = None
        chunks: list[bytes] = []
        try:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
        except RequestRefused as exc:
            refusal = exc
        body = b"".join(chunks)
        if refusal is None and _json_has_lone_surrogate(body):
            refusal = invalid_unicode()
        done = False

        async def replay() -> Message:
            nonlocal done
            if refusal is not None:
                raise refusal
            if done:
                return await receive()  # http.disconnect, eventually
            done = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay
