"""HTTP routes for assessments."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["assessments"])
