"""Competence profiles: from stored records and declarations to the ``werkbrug.profile/1`` format.

:func:`build_profile` is the only way ranking code sees a participant. It reads the
participant's pseudonymous fields, current (not corrected) assessment records, declared
experience and the agreed job targets; it never reads contact details, protected
attributes, spoken languages (a proxy for origin) or free text.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb

from assessment.instrument import get_instrument
from assessment.participant_models import DiplomaRecognition, Participant
from assessment.participants import (
    consent_history,
    get_contact,
    get_participant,
    get_participants,
    get_protected_attributes,
    list_participants,
    participant_history,
)
from assessment.profile import (
    Availability,
    CompetenceProfile,
    DutchLevels,
    Evidence,
    EvidenceKind,
    ExperienceItem,
    Mobility,
    SkillLevel,
)
from assessment.records import Record, current_records, list_records
from assessment.scoring import (
    SELF_DECLARED_LEVEL,
    combine_evidence,
    evidence_confidence,
    experience_level,
    latest_cefr,
    skill_scores,
)
from assessment.trajectories import get_trajectory, latest_targets
from taxonomy.store import preferred_labels

_KIND = {"technical": EvidenceKind.assessed, "observation": EvidenceKind.observed}


def record_evidence(record: Record) -> dict[str, Evidence]:
    """The evidence one record gives, per ESCO skill URI."""
    instrument = get_instrument(record.instrument_id, record.instrument_version)
    kind = _KIND.get(instrument.kind)
    if kind is None:
        return {}
    return {
        s.uri: Evidence(
            kind=kind, record_id=record.record_id, instrument_id=instrument.id,
            instrument_version=instrument.version, items=list(s.items), assessed_on=record.assessed_on,
            level=round(s.level, 4), confidence=round(evidence_confidence(kind, s.coverage), 4),
        )
        for s in skill_scores(instrument, record.scores)
    }


def _essential_skills(con, occupation_uris: list[str]) -> dict[str, list[str]]:
    essential: dict[str, list[str]] = defaultdict(list)
    if occupation_uris:
        for occ, skill in con.execute(
            """SELECT occupation_uri, skill_uri FROM taxonomy.occupation_skills
               WHERE relation_type = 'essential' AND occupation_uri IN (SELECT unnest(?))
               ORDER BY occupation_uri, skill_uri""", [sorted(set(occupation_uris))]).fetchall():
            essential[occ].append(skill)
    return essential


def _experience_evidence(participant: Participant, essential: dict[str, list[str]]) -> dict[str, list[Evidence]]:
    out: dict[str, list[Evidence]] = defaultdict(list)
    for entry in participant.experience:
        for skill in essential.get(entry.occupation_uri, []):
            out[skill].append(Evidence(
                kind=EvidenceKind.experience, occupation_uri=entry.occupation_uri,
                level=round(experience_level(entry.years), 4),
                confidence=evidence_confidence(EvidenceKind.experience),
                note=f"{entry.years:g} year(s) of declared experience",
            ))
    for skill in participant.declared_skills:
        out[skill].append(Evidence(
            kind=EvidenceKind.self_declared, level=SELF_DECLARED_LEVEL,
            confidence=evidence_confidence(EvidenceKind.self_declared), note="declared by the participant",
        ))
    return out


def _dutch(records: list[Record]) -> DutchLevels:
    obs: dict[str, list] = defaultdict(list)
    used: list[Record] = []
    for r in records:
        inst = get_instrument(r.instrument_id, r.instrument_version)
        if inst.kind != "language":
            continue
        for item in inst.items:
            value = r.scores.get(item.id)
            if value is not None:
                obs[item.subskill].append((r.assessed_on, str(r.recorded_at), str(value)))
                used.append(r)
    levels = {sub: latest_cefr(o) for sub, o in obs.items()}
    newest = max(used, key=lambda r: (r.assessed_on, r.recorded_at), default=None)
    return DutchLevels(**levels, record_id=newest.record_id if newest else None,
                       assessed_on=newest.assessed_on if newest else None)


def _recognised(value: DiplomaRecognition | None) -> bool | None:
    if value in (None, DiplomaRecognition.not_applicable):
        return None
    return value == DiplomaRecognition.recognised


def build_profile(con: duckdb.DuckDBPyConnection, *, participant_id: str, lang: str = "nl") -> CompetenceProfile:
    """The competence profile of one participant (pseudonymised; see docs/profile-format.md), labels in ``lang``."""
    get_participant(con, participant_id=participant_id)  # NotFoundError for an unknown id
    return build_profiles(con, participant_ids=[participant_id], lang=lang)[0]


def build_profiles(con: duckdb.DuckDBPyConnection, *, participant_ids: list[str],
                   lang: str = "nl") -> list[CompetenceProfile]:
    """Profiles of several participants, in the order asked (unknown ids are left out); labels in ``lang``
    (else English: :func:`taxonomy.store.preferred_labels`).

    Reads everything in a few queries, so building hundreds of profiles stays fast.
    """
    participants = get_participants(con, participant_ids=participant_ids)
    ids = [p.participant_id for p in participants]
    records = current_records(con, participant_ids=ids)
    targets = latest_targets(con, participant_ids=ids)
    essential = _essential_skills(con, [e.occupation_uri for p in participants for e in p.experience])
    evidence_by: dict[str, dict[str, list[Evidence]]] = {}
    for p in participants:
        evidence = _experience_evidence(p, essential)
        for record in records[p.participant_id]:
            for uri, ev in record_evidence(record).items():
                evidence[uri].append(ev)
        evidence_by[p.participant_id] = evidence
    all_uris = {u for ev in evidence_by.values() for u in ev} | {e.occupation_uri for p in participants
                                                                  for e in p.experience}
    labels = preferred_labels(con, sorted(all_uris), lang=lang)
    return [_assemble(p, evidence_by[p.participant_id], records[p.participant_id], targets[p.participant_id], labels)
            for p in participants]


def _assemble(participant: Participant, evidence: dict[str, list[Evidence]], records: list[Record],
              targets: list[str], labels: dict[str, str]) -> CompetenceProfile:
    skills = []
    for uri, evs in evidence.items():
        level, confidence, kind = combine_evidence(evs)
        skills.append(SkillLevel(uri=uri, label=labels.get(uri), level=round(level, 4),
                                 confidence=round(confidence, 4), evidence_kind=kind, evidence=evs))
    skills.sort(key=lambda s: (-s.level * s.confidence, s.uri))
    return CompetenceProfile(
        participant_id=participant.participant_id,
        generated_at=max((r.recorded_at for r in records), default=participant.updated_at),
        skills=skills,
        dutch=_dutch(records),
        experience=[ExperienceItem(occupation_uri=e.occupation_uri, label=labels.get(e.occupation_uri),
                                   years=e.years) for e in participant.experience],
        preferred_occupations=participant.preferred_occupations,
        preferred_sectors=participant.preferred_sectors,
        availability=Availability(hours_per_week=participant.hours_per_week, shifts=participant.shifts,
                                  weekends=participant.weekends),
        mobility=Mobility(postcode=participant.postcode, transport_modes=participant.transport_modes,
                          max_commute_minutes=participant.max_commute_minutes),
        education_level=participant.education_level.value if participant.education_level else None,
        diploma_recognised=_recognised(participant.diploma_recognition),
        diploma_recognition=participant.diploma_recognition.value if participant.diploma_recognition else None,
        agreed_targets=targets,
    )


def consenting_profiles(con: duckdb.DuckDBPyConnection) -> list[CompetenceProfile]:
    """Profiles of every participant whose consent to share is currently given, ordered by id."""
    ids = sorted(p.participant_id for p in list_participants(con, consenting_only=True))
    return build_profiles(con, participant_ids=ids)


def export_participant(con: duckdb.DuckDBPyConnection, *, participant_id: str) -> dict[str, Any]:
    """Everything stored about one participant (the basis of a GDPR access request), as JSON data."""
    participant = get_participant(con, participant_id=participant_id)
    batches = con.execute(
        """SELECT DISTINCT b.batch_id, b.file_name, b.instrument_id, b.instrument_version, b.assessor, b.imported_at
           FROM assessment.batches b JOIN assessment.records r USING (batch_id)
           WHERE r.participant_id = ? ORDER BY b.imported_at, b.batch_id""", [participant_id]).fetchall()
    return {
        "format": "werkbrug.participant-export/1",
        "participant": participant.model_dump(mode="json"),
        "contact": get_contact(con, participant_id=participant_id).model_dump(mode="json"),
        "protected_attributes": get_protected_attributes(con, participant_id=participant_id).model_dump(mode="json"),
        "consent_history": [c.model_dump(mode="json") for c in consent_history(con, participant_id=participant_id)],
        "change_history": [
            {**h, "changed_at": h["changed_at"].isoformat()}
            for h in participant_history(con, participant_id=participant_id)
        ],
        "assessment_records": [r.model_dump(mode="json") for r in list_records(con, participant_id=participant_id)],
        "uploads": [
            dict(zip(("batch_id", "file_name", "instrument_id", "instrument_version", "assessor", "imported_at"),
                     (*b[:5], b[5].isoformat()), strict=True))
            for b in batches
        ],
        "trajectory": get_trajectory(con, participant_id=participant_id).model_dump(mode="json"),
        "profile": build_profile(con, participant_id=participant_id).model_dump(mode="json"),
    }
