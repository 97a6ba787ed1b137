"""What a liaison sees of a shortlist: consenting candidates under per-vacancy codes only.

A stored :class:`~matching.shortlist.Shortlist` holds participant ids; every shortlist that
leaves the service layer is a :class:`ShortlistView`: the candidates who still consent, each
under their code for this vacancy (``K-…``), the confirmed order, reasons and status history
keyed by that code, and only a count of those who withdrew.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
from pydantic import BaseModel, create_model

from assessment.participants import get_participants
from foundation.actor import colleague
from foundation.keys import secret_key
from matching.access import candidate_code, consenting
from matching.shortlist import Candidate, Shortlist, StatusEvent, candidate_history


def _without_participant(model: type[BaseModel], name: str) -> type[BaseModel]:
    fields: dict[str, Any] = {"candidate": (str, ...)}
    fields |= {k: (f.annotation, f) for k, f in model.model_fields.items() if k != "participant_id"}
    return create_model(name, __doc__=f"{model.__name__} under the per-vacancy candidate code.", **fields)


#: A candidate as a liaison sees it: every field of :class:`Candidate` but the participant id.
CandidateView = _without_participant(Candidate, "CandidateView")
#: A status change of a candidate, keyed by the candidate code.
StatusView = _without_participant(StatusEvent, "StatusView")


class ShortlistView(BaseModel):
    """A shortlist without participant ids (``confirmed_order`` and ``reasons`` by candidate code)."""

    shortlist_id: str
    vacancy_id: str
    status: str
    created_by: str
    created_at: datetime
    model: str
    taxonomy_version: str
    log_id: int | None
    considered: int
    filtered_out: dict[str, int]
    candidates: list[CandidateView]  # type: ignore[valid-type]
    withdrawn: int = 0
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    confirmed_order: list[str] | None = None
    reasons: dict[str, str] | None = None
    history: list[StatusView] = []  # type: ignore[valid-type]
    #: per candidate already contacted: their coach's name and how to reach the coach (never the candidate)
    coaches: dict[str, tuple[str, str | None]] = {}


class Pseudonyms:
    """Codes ↔ participant ids of one shortlist, limited to the candidates who consent now."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, sl: Shortlist) -> None:
        key = secret_key(cursor)
        ids = [c.participant_id for c in sl.candidates]
        self.consenting = consenting(cursor, ids)
        self.code = {pid: candidate_code(key, vacancy_id=sl.vacancy_id, participant_id=pid) for pid in ids}
        self.participant = {code: pid for pid, code in self.code.items() if pid in self.consenting}

    def visible(self, participant_id: str) -> bool:
        return participant_id in self.consenting

    def status_view(self, event: StatusEvent) -> BaseModel:
        data = event.model_dump(exclude={"participant_id"})
        return StatusView(candidate=self.code[event.participant_id], **data)


def shortlist_view(cursor: duckdb.DuckDBPyConnection, sl: Shortlist, names: Pseudonyms | None = None) -> ShortlistView:
    """The liaison's view of a stored shortlist, as of now (consent read at this moment)."""
    names = names or Pseudonyms(cursor, sl)
    shown = [c for c in sl.candidates if names.visible(c.participant_id)]
    history = [e for e in (candidate_history(cursor, shortlist_id=sl.shortlist_id) if sl.status == "confirmed" else [])
               if names.visible(e.participant_id)]
    coaches = {}
    for p in get_participants(cursor, participant_ids=sorted({e.participant_id for e in history})):
        found = colleague(cursor, p.coach)
        if found:
            coaches[names.code[p.participant_id]] = found
    data = sl.model_dump(exclude={"candidates", "confirmed_order", "reasons"})
    return ShortlistView(
        **data,
        candidates=[CandidateView(candidate=names.code[c.participant_id],
                                  **c.model_dump(exclude={"participant_id"})) for c in shown],
        withdrawn=len(sl.candidates) - len(shown),
        confirmed_order=None if sl.confirmed_order is None else [
            names.code[p] for p in sl.confirmed_order if names.visible(p)],
        reasons=None if sl.reasons is None else {
            names.code[p]: text for p, text in sl.reasons.items() if names.visible(p)},
        history=[names.status_view(e) for e in history], coaches=coaches,
    )
