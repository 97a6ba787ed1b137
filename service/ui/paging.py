"""Paged lists: which slice to show and the links to the other pages (search and sort kept)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

PAGE_SIZE = 50


@dataclass(frozen=True)
class Paging:
    page: int
    pages: int
    total: int
    size: int
    query: dict[str, str]

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def url(self, page: int) -> str:
        """The query string of ``page`` (the other parameters kept)."""
        return "?" + urlencode({**{k: v for k, v in self.query.items() if v}, "page": page})


def paging(total: int, page: int, query: dict[str, str], size: int = PAGE_SIZE) -> Paging:
    """Page ``page`` (clamped to 1…last) of ``total`` rows."""
    pages = max(1, -(-total // size))
    return Paging(page=min(max(1, page), pages), pages=pages, total=total, size=size, query=query)
