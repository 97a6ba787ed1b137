"""HTTP routes for matching."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["matching"])
