"""The FastAPI application factory."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from taxonomy.database import connect
from taxonomy.errors import (
    ConflictError,
    DatabaseLockedError,
    InputError,
    NotFoundError,
    WerkbrugError,
)

STATUS = {InputError: 422, NotFoundError: 404, ConflictError: 409, DatabaseLockedError: 503}


def migrate_all(con) -> None:
    """Create or upgrade every package's schema, left to right."""
    import assessment.store
    import matching.store
    import service.users
    import taxonomy.store

    for module in (taxonomy.store, assessment.store, matching.store, service.users):
        module.ensure_schema(con)


def create_app(db_path: str | Path, *, demo: bool = False) -> FastAPI:
    """The werkbrug app on one DuckDB file (one writing process: this one)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        con = connect(db_path)
        migrate_all(con)
        app.state.db = con
        app.state.demo = demo
        yield
        con.close()

    app = FastAPI(
        title="werkbrug",
        description="Competence assessment and job matching on ESCO. "
        "This service uses the ESCO classification of the European Commission. "
        "Rankings are suggestions — human review required.",
        version="0.1.0",
        lifespan=lifespan,
    )

    @app.exception_handler(WerkbrugError)
    async def werkbrug_error(request: Request, exc: WerkbrugError) -> JSONResponse:
        code = next((c for t, c in STATUS.items() if isinstance(exc, t)), 400)
        return JSONResponse(
            status_code=code,
            content={
                "detail": exc.message,
                "problems": [
                    {k: v for k, v in vars(p).items() if v is not None} for p in exc.problems
                ],
            },
        )

    from service.routers import ROUTERS

    for router in ROUTERS:
        app.include_router(router)
    return app
