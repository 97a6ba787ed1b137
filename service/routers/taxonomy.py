"""HTTP routes for the taxonomy: search ESCO occupations and skills, the imported version."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel

from service.deps import Cursor, current_user
from service.users import User
from taxonomy.store import current_version

router = APIRouter(prefix="/api/taxonomy", tags=["taxonomy"])

LoggedIn = Annotated[User, Depends(current_user)]


class Hit(BaseModel):
    uri: str
    label: str
    matched_label: str
    score: float


class Version(BaseModel):
    esco_version: str
    source: str
    imported_at: str
    languages: list[str]
    counts: dict[str, int]


@router.get("/search", response_model=list[Hit])
def search_taxonomy(
    cursor: Cursor, user: LoggedIn,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Job title or skill, any language.")],
    kind: Literal["occupation", "skill"] = "occupation",
    lang: Literal["nl", "en"] | None = None,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[Hit]:
    """ESCO occupations or skills that best match ``q`` (labels in Dutch, else English)."""
    try:
        from taxonomy.search import search
    except ImportError as exc:  # pragma: no cover - the taxonomy package ships its search
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "Search is not available") from exc
    return [
        Hit(uri=h.uri, label=h.label, matched_label=h.matched_label, score=round(float(h.score), 4))
        for h in search(cursor, q, kind=kind, lang=lang, top=top)
    ]


@router.get("/version", response_model=Version)
def taxonomy_version(cursor: Cursor, user: LoggedIn) -> Version:
    """Which ESCO version the database holds."""
    v = current_version(cursor)
    return Version(esco_version=v.esco_version, source=v.source, imported_at=v.imported_at,
                   languages=v.languages, counts=v.counts)
