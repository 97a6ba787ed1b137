"""HTTP routes for participants."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["participants"])
