"""HTTP routes for vacancies."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["vacancies"])
