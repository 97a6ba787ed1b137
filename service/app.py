"""The FastAPI application factory."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from pathlib import Path

import duckdb
from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from foundation.audit import anchor_chain
from foundation.db import connect, is_conflict, start_checkpoints, write_conflict
from foundation.errors import (
    ConflictError,
    DatabaseLockedError,
    ForbiddenError,
    InputError,
    NotFoundError,
    WerkbrugError,
)
from foundation.settings import Settings, load_settings, start
from matching.config import MatchingConfig
from service.headers import SecurityHeaders
from service.limits import (
    MULTIPART_OVERHEAD,
    BodyLimits,
    RequestLimits,
    coded,
    has_lone_surrogate,
    invalid_unicode,
    json_safe,
)

STATUS = {InputError: 422, ForbiddenError: 403, NotFoundError: 404, ConflictError: 409, DatabaseLockedError: 503}
STATIC_DIR = Path(__file__).parent / "static"
#: Coded refusals a page shows with its general words for the status, not with the code's own text.
PAGE_WORDS = frozenset({"auth.role", "request.not_found"})

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# Swagger UI needs its one inline start-up script and inline styles.
CSP_DOCS = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
)


def migrate_all(con) -> None:
    """Create or upgrade every package's schema, left to right."""
    import assessment.store
    import matching.store
    import service.users
    import taxonomy.store

    for module in (taxonomy.store, assessment.store, matching.store, service.users):
        module.ensure_schema(con)


def is_api_path(path: str) -> bool:
    """Whether ``path`` belongs to the JSON API (errors as JSON, not as pages)."""
    return path.startswith("/api") or path == "/openapi.json"


def create_app(
    db_path: str | Path | None = None, *, demo: bool = False, limits: RequestLimits | None = None,
    settings: Settings | None = None,
) -> FastAPI:
    """The werkbrug app on one DuckDB file (one writing process: this one).

    ``settings`` are built once here when not given (from the environment); ``db_path``
    overrides ``settings.db``. Routes read them from ``app.state.settings``.
    """
    settings = settings or load_settings()
    if db_path is not None:
        settings = settings.model_copy(update={"db": Path(db_path)})
    start(settings)
    db_path = settings.db
    from foundation.keys import secret_key
    from service.auth import LoginLimiter
    from service.i18n import compile_catalogues

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        con = connect(db_path)
        migrate_all(con)
        anchor_chain(con)
        compile_catalogues()
        app.state.db = con
        app.state.demo = demo
        app.state.secret_key = secret_key(con)
        app.state.login_limiter = LoginLimiter()
        _warm_in_background(con)
        if demo:
            from service.demo import demo_logins

            app.state.demo_logins = demo_logins()
        stop_checkpoints = start_checkpoints(lambda: app.state.db)
        yield
        stop_checkpoints()
        app.state.db.close()  # the connection may have been swapped (service.erasure)

    app = FastAPI(
        title="werkbrug",
        description="Competence assessment and job matching on ESCO. "
        "This service uses the ESCO classification of the European Commission. "
        "Rankings are suggestions — human review required. "
        "Log in with `POST /api/auth/token` and send `Authorization: Bearer <token>`.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.matching_config = MatchingConfig.from_settings(settings)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    try:
        import swagger_ui_bundle

        app.mount("/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")
    except ImportError:  # pragma: no cover - the dependency is declared
        pass

    app.add_middleware(BodyLimits, limits=limits or RequestLimits(
        max_body_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes + MULTIPART_OVERHEAD))

    app.add_middleware(SecurityHeaders, headers=SECURITY_HEADERS, csp=CSP, csp_docs=CSP_DOCS)

    @app.exception_handler(WerkbrugError)
    async def werkbrug_error(request: Request, exc: WerkbrugError) -> Response:
        from service.messages import api_language, error_json, error_text, problem_text

        code = next((c for t, c in STATUS.items() if isinstance(exc, t)), 400)
        if not is_api_path(request.url.path):
            from service.i18n import request_language
            from service.routers.ui_common import error_page

            lang = request_language(request)
            return error_page(request, code, error_text(exc, lang=lang),
                              problems=[problem_text(p, lang=lang) for p in exc.problems])
        return JSONResponse(status_code=code, content=error_json(exc, lang=api_language(request)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        from service.messages import api_language, message

        # the framework's 404 and 405 get their codes too
        exc = coded(exc, scope=request.scope, routes=request.app.router.routes)
        code = getattr(exc, "code", None)  # a RequestRefused (service.limits): its text in the reader's language
        if is_api_path(request.url.path) or request.url.path.startswith(("/static", "/swagger-ui")):
            if not code:
                return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
            text = message(code, exc.params, lang=api_language(request), fallback=str(exc.detail))
            return JSONResponse({"detail": text, "code": code}, status_code=exc.status_code, headers=exc.headers)
        from service.i18n import request_language
        from service.routers.ui_common import error_page, login_page

        if exc.status_code == 401:
            return login_page(request, next_url=request.url.path, status_code=401)
        if code:
            text = message(code, exc.params, lang=request_language(request), fallback=str(exc.detail))
            # the role check and an unknown address keep the page's own words ("may not open this page …")
            return error_page(request, exc.status_code, text, own=code not in PAGE_WORDS, headers=exc.headers)
        return error_page(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(duckdb.TransactionException)
    async def database_conflict(request: Request, exc: duckdb.TransactionException) -> Response:
        if not is_conflict(exc):
            raise exc
        return await werkbrug_error(request, write_conflict(exc))

    @app.exception_handler(UnicodeError)
    async def unicode_error(request: Request, exc: UnicodeError) -> Response:
        return await http_error(request, invalid_unicode())

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if any(has_lone_surrogate(e.get("input")) for e in exc.errors()):
            return await http_error(request, invalid_unicode())
        exc = RequestValidationError(json_safe(list(exc.errors())), body=None)  # echoed input: JSON-safe
        from foundation.errors import validation_problems
        from service.messages import api_language, problem_text

        if is_api_path(request.url.path):
            lang = api_language(request)
            response = await request_validation_exception_handler(request, exc)
            body = json.loads(response.body)
            for item, problem in zip(body.get("detail", []), validation_problems(exc), strict=False):
                item.update(code=problem.code, message=problem_text(problem, lang=lang, located=False))
            return JSONResponse(body, status_code=response.status_code)
        from service.i18n import request_language
        from service.routers.ui_common import error_page

        lang = request_language(request)
        problems = validation_problems(exc)
        for p in problems:
            p.column = p.column.split(".", 1)[1] if p.column and "." in p.column else None
        return error_page(request, 422, "", problems=[problem_text(p, lang=lang) for p in problems])

    from service.deps import current_user

    docs_guard = [] if demo else [Depends(current_user)]

    @app.get("/openapi.json", include_in_schema=False, dependencies=docs_guard)
    def openapi_json() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=docs_guard)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="werkbrug API",
            swagger_js_url="/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/swagger-ui/favicon-32x32.png",
        )

    from service.routers import ROUTERS

    for router in ROUTERS:
        app.include_router(router)
    return app


def _warm_in_background(con) -> None:
    """Build the vacancy skill index in a thread, so the first vacancy does not wait for it."""
    import logging
    import threading

    def run() -> None:
        from matching.vacancies.extraction import warm

        try:
            warm(con.cursor())
        except Exception:  # no taxonomy yet, or the database closed: the first request builds it
            logging.getLogger(__name__).debug("vacancy skill index not warmed", exc_info=True)

    threading.Thread(target=run, name="warm-vacancies", daemon=True).start()
