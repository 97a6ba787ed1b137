"""HTTP routes for taxonomy."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["taxonomy"])
