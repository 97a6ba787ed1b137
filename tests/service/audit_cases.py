"""One call per write path of the service layer, on a :func:`tests.service.world.build_world` database.

Used by ``test_audit_atomic.py`` in this process and in a child process (``python -m
tests.service.audit_cases DB CASE WORLD_JSON``) that is killed right after the audit entry is
written, before the transaction commits.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

from assessment import service as asv
from assessment import service_records as rsv
from foundation.actor import Role, User
from matching import service as msv
from tests.service.world import OCCUPATION, World

ASSESSOR, COACH, LIAISON, ADMIN = (User(n, n, Role(n)) for n in ("assessor", "coach", "liaison", "admin"))
SHEET = ("instrument;versie;deelnemer;datum;opmerking;listening;reading;speaking;writing\n"
         "dutch-cefr;1;{pid};2026-03-01;;A2;;;\n")


def _codes(cur, w: World) -> list[str]:
    return [c.candidate for c in msv.show_shortlist(cur, actor=LIAISON, shortlist_id=w.shortlist).candidates]


def _confirmed(cur, w: World) -> str:
    codes = _codes(cur, w)
    msv.confirm_shortlist(cur, actor=LIAISON, shortlist_id=w.shortlist, confirmed_by="Lies", ordered_candidates=codes)
    return codes[0]


#: name → (setup run and committed first, or None; the write path under test)
Case = tuple[Callable[[Any, World], Any] | None, Callable[[Any, World, Any], Any]]
CASES: dict[str, Case] = {
    "register_participant": (None, lambda c, w, _: asv.register_participant(
        c, actor=ASSESSOR, details={"coach": "coach"}, contact={"name": "Nieuw"})),
    "edit_participant": (None, lambda c, w, _: asv.edit_participant(
        c, actor=COACH, participant_id=w.participant, changes={"postcode": "8310"})),
    "change_consent": (None, lambda c, w, _: asv.change_consent(c, actor=COACH, participant_id=w.participant,
                                                                given=False)),
    "agree_targets": (None, lambda c, w, _: asv.agree_targets(c, actor=COACH, participant_id=w.participant,
                                                              occupation_uris=[OCCUPATION])),
    "add_step": (None, lambda c, w, _: asv.add_step(c, actor=COACH, participant_id=w.participant, kind="training",
                                                    title="Heftruckattest")),
    "edit_step": (None, lambda c, w, _: asv.edit_step(c, actor=COACH, step_id=w.step, status="ongoing")),
    "record_result": (None, lambda c, w, _: rsv.record_result(
        c, actor=ASSESSOR, participant_id=w.participant, instrument_id="dutch-cefr", assessed_on="2026-02-01",
        scores={"listening": "B1"})),
    "import_results": (None, lambda c, w, _: rsv.import_results(
        c, actor=COACH, path="dutch.csv", data=SHEET.format(pid=w.participant).encode(), file_name="dutch.csv")),
    "create_vacancy": (None, lambda c, w, _: msv.create_vacancy(c, actor=LIAISON, vacancy={
        "title": "Kok", "employer": "Resto", "postcode": "8000", "description": "Koken in de keuken."})),
    "import_vacancies": (None, lambda c, w, _: msv.import_vacancies(
        c, actor=LIAISON, filename="v.csv", data=b"title,description,employer,postcode\nKok,Koken,Resto,8000\n")),
    "confirm_vacancy": (lambda c, w: msv.show_vacancy(c, actor=LIAISON, vacancy_id=w.vacancy).essential_skills,
                        lambda c, w, skills: msv.confirm_vacancy(c, actor=LIAISON, vacancy_id=w.vacancy,
                                                                 occupation_uris=[OCCUPATION],
                                                                 essential_skills=skills[:3])),
    "close_vacancy": (None, lambda c, w, _: msv.close_vacancy(c, actor=LIAISON, vacancy_id=w.vacancy)),
    "pull_shortlist": (None, lambda c, w, _: msv.pull_shortlist(c, actor=LIAISON, vacancy_id=w.vacancy, top=5)),
    "confirm_shortlist": (_codes, lambda c, w, codes: msv.confirm_shortlist(
        c, actor=LIAISON, shortlist_id=w.shortlist, confirmed_by="Lies", ordered_candidates=codes)),
    "set_candidate_status": (_confirmed, lambda c, w, code: msv.set_candidate_status(
        c, actor=LIAISON, shortlist_id=w.shortlist, candidate=code, status="invited")),
    "set_language_requirement": (None, lambda c, w, _: msv.set_language_requirement(
        c, actor=ADMIN, occupation_uri=OCCUPATION, levels=dict.fromkeys(("listening", "reading", "speaking",
                                                                        "writing"), "A2"))),
}


def _kill_after_audit() -> None:
    """Die (no clean-up, no commit) the moment an audit entry has been written."""
    from foundation import audit

    target = audit.audit.__code__

    def hook(frame, event, _arg):
        if event == "return" and frame.f_code is target:
            sys.stdout.flush()
            os._exit(17)

    sys.setprofile(hook)


if __name__ == "__main__":
    from foundation.db import connect

    db, case, world = sys.argv[1], sys.argv[2], World(**json.loads(sys.argv[3]))
    con = connect(db)
    setup, action = CASES[case]
    state = setup(con, world) if setup else None
    _kill_after_audit()
    action(con, world, state)
    os._exit(0)  # not reached when the action writes its audit entry
