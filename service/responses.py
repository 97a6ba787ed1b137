"""A route's pydantic result as JSON, dumped once.

With ``response_model`` FastAPI validates a returned model again (in a worker thread) and then
dumps it on the event loop. A route whose service function already returns that model can
return :class:`ModelJSON` instead: the same bytes, dumped in the route's thread; the route
keeps ``response_model`` for the OpenAPI schema.
"""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response


class ModelJSON(Response):
    media_type = "application/json"

    def __init__(self, model: BaseModel, status_code: int = 200) -> None:
        super().__init__(model.__pydantic_serializer__.to_json(model, by_alias=True), status_code=status_code)
