"""The programme part of the demo: employers, contacts, concerns, cohorts, stages, placements, follow-ups.

Everything is invented and written through the service layers of :mod:`matching` and
:mod:`assessment`, acting as the demo's liaison, coaches and admin. Job targets are suggested
by the real ranking (logged with its model), some agreed, and the invented placements land on
suggested occupations or beside them, so ``benchmarks/outcomes.py`` has outcomes to measure.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb

from foundation.actor import Role, User
from matching.kbo import check_digits

LIAISON = User("liaison", "Lotte Liaison", Role.liaison)
ADMIN = User("admin", "Arne Admin", Role.admin)

#: (name, eight digits of the enterprise number, sector, postcode).
EMPLOYERS = (
    ("Logistiek Brugge NV", 4031707, "logistiek", "8000"),
    ("Brasserie 't Zand", 8123456, "horeca", "8000"),
    ("Net & Proper Kortrijk", 7234567, "schoonmaak", "8500"),
    ("Bouwbedrijf Vandamme", 4567812, "bouw", "8200"),
    ("Zorgcentrum De Linde", 4112233, "zorg", "8310"),
    ("Metaalwerken Oostende", 4667788, "metaal", "8400"),
    ("Distributiecentrum Aalst", 8334455, "logistiek", "9300"),
    ("Kinderopvang Het Nest", 8556677, "kinderopvang", "8800"),
)
CONTACTS = (("Els Vermeulen", "HR-verantwoordelijke"), ("Bart De Smet", "ploegleider"),
            ("Sofie Maes", "zaakvoerder"), ("Wim Claeys", "preventieadviseur"))
EVENTS = (("introduction", "Kennismaking: uitleg over het project en de kandidaten."),
          ("workplace_visit", "Bedrijfsbezoek met vier deelnemers."),
          ("job_shadowing", "Twee deelnemers liepen een dag mee."),
          ("diversity_action", "Infosessie over werken met anderstalige collega's."),
          ("twe_offered", "Eén TWE-plaats voor zes maanden aangeboden."),
          ("internship_offered", "Stageplaats in de tweede helft van het jaar."))
CONCERNS = (("language", "Veiligheidsinstructies moeten begrepen worden."),
            ("paperwork", "Vragen over arbeidskaart en verblijfsstatus."),
            ("transport", "Vroege ploeg: geen openbaar vervoer om 5 uur."),
            ("attitude", "Stiptheid in de eerste weken."),
            ("childcare", "Kinderopvang bij wisselende uren."))
#: Invented protected attributes (monitoring only): gender, country of origin, year of birth.
MONITORING = (("female", "Syrië", 1994), ("male", "Eritrea", 1988), ("male", "Afghanistan", 1999),
              ("female", "Ethiopië", 1985), ("female", "Oekraïne", 1979), ("male", "Afghanistan", 2001),
              ("female", "Guinee", 1996), ("male", "Eritrea", 1992), ("female", "Syrië", 1990),
              ("male", "Soedan", 1983))


def kbo(first_eight: int) -> str:
    """A well-formed enterprise number from eight digits (the check digits computed)."""
    digits = f"{first_eight:08d}{check_digits(first_eight):02d}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def fill_programme_demo(con: duckdb.DuckDBPyConnection, *, progress: Callable[[str], None] = lambda m: None) -> None:
    """Employers, cohorts, stages, job targets, placements and follow-ups for the demo participants."""
    from assessment import stages
    from assessment.participants import list_participants, update_participant
    from assessment.trajectories import record_agreed_targets
    from matching import employers as emp
    from matching.config import MatchingConfig
    from matching.job_targets import job_targets_for_participant
    from matching.placements import record_followup, record_placement

    people = sorted(list_participants(con), key=lambda p: p.created_at)
    coaches = {p.participant_id: User(p.coach or "coach", p.coach or "coach", Role.coach) for p in people}
    first = stages.create_cohort(con, actor=ADMIN, name="Brugge werkt 2026-1", starts_on=date(2026, 2, 2))
    second = stages.create_cohort(con, actor=ADMIN, name="Brugge werkt 2026-2", starts_on=date(2026, 9, 7))
    suggested: dict[str, list[str]] = {}
    for n, p in enumerate(people):
        coach = coaches[p.participant_id]
        gender, origin, year = MONITORING[n % len(MONITORING)]
        update_participant(con, participant_id=p.participant_id, by=coach.username,
                           protected={"gender": gender, "country_of_origin": origin,
                                      "date_of_birth": date(year, 1 + n % 12, 1 + n)})
        result = job_targets_for_participant(con, participant_id=p.participant_id, top=10,
                                             requested_by=coach.username, config=MatchingConfig(encoder=None))
        suggested[p.participant_id] = [t.occupation_uri for t in result.targets]
        if n % 3 != 2 and suggested[p.participant_id]:
            record_agreed_targets(con, participant_id=p.participant_id, note="besproken in het terugkoppelgesprek",
                                  occupation_uris=suggested[p.participant_id][:2], by=coach.username)
    employers = _employers(con, emp, people, suggested)
    progress(f"{len(employers)} employers with contacts, actions and concerns")
    for n, p in enumerate(people):
        coach, pid = coaches[p.participant_id], p.participant_id
        cohort = first if n < 6 else second
        start = cohort.starts_on
        stages.assign_cohort(con, actor=coach, participant_id=pid, cohort_id=cohort.cohort_id)
        stages.set_people(con, actor=coach, participant_id=pid, referrer_org="OCMW" if n % 2 else "VDAB",
                          referrer_name=("Jan Toeleider", "Leen Verhaeghe")[n % 2], teacher="Griet NT2")
        path = [("registered", 0, None, None), ("prescreening", 7, "selected", "motivation"),
                ("selected", 8, None, None), ("assessment", 21, None, None), ("feedback", 35, None, None),
                ("trajectory", 49, None, None)]
        if n == 5:
            path = [path[0], ("prescreening", 7, "not_selected", "dutch_progress")]
        for stage, days, outcome, reason in path:
            stages.record_stage(con, actor=coach, participant_id=pid, stage=stage,
                                on_date=date.fromordinal(start.toordinal() + days), outcome=outcome, reason=reason)
        if n in (0, 1, 2, 3, 4) and suggested[pid]:
            _place(con, record_placement, record_followup, stages, coach, pid, n, start, suggested[pid], employers)
        elif n not in (5,) and suggested[pid]:
            stages.record_stage(con, actor=coach, participant_id=pid, stage="mediation",
                                on_date=date.fromordinal(start.toordinal() + 60))
    progress("2 intake groups, stages, placements and follow-ups")


def _employers(con, emp, people, suggested) -> list[str]:
    """The employers, each hiring for the first suggestions of the people living nearest to it."""
    from matching import geo

    hires: dict[int, list[str]] = {n: [] for n in range(len(EMPLOYERS))}
    for p in people:
        if p.postcode and suggested[p.participant_id]:
            nearest = min(range(len(EMPLOYERS)), key=lambda n: (geo.distance_km(p.postcode, EMPLOYERS[n][3]), n))
            hires[nearest] += suggested[p.participant_id][:2]
    spare = [u for p in people for u in suggested[p.participant_id][2:4]]
    ids = []
    for n, (name, digits, sector, postcode) in enumerate(EMPLOYERS):
        occupations = list(dict.fromkeys(hires[n] or spare[n::len(EMPLOYERS)][:2]))
        e = emp.create_employer(con, actor=LIAISON, occupation_uris=occupations,
                                employer={"name": name, "kbo": kbo(digits), "sector": sector, "postcode": postcode})
        ids.append(e.employer_id)
        person, job = CONTACTS[n % len(CONTACTS)]
        emp.add_contact(con, actor=LIAISON, employer_id=e.employer_id, contact={
            "name": person, "job_role": job, "phone": f"+32 50 44 0{n} 1{n}", "email": f"info{n}@werkgever.example"})
        for k in range(1 + n % 3):
            kind, note = EVENTS[(n + k) % len(EVENTS)]
            emp.add_event(con, actor=LIAISON, employer_id=e.employer_id, kind=kind, note=note,
                          happened_on=date(2026, 3 + k * 2, 4 + n))
        if n % 2 == 0:
            code, note = CONCERNS[(n // 2) % len(CONCERNS)]
            emp.add_concern(con, actor=LIAISON, employer_id=e.employer_id, code=code, note=note,
                            raised_on=date(2026, 4, 10 + n))
        for (vid,) in con.execute("SELECT vacancy_id FROM matching.vacancies WHERE employer = ?", [name]).fetchall():
            emp.link_vacancy(con, actor=LIAISON, vacancy_id=vid, employer_id=e.employer_id)
    return ids


def _place(con, record_placement, record_followup, stages, coach, pid, n, start, suggested, employers) -> None:
    """An invented placement: on the top suggestion, a lower one, or an occupation not suggested."""
    occupation = suggested[(0, 1, 4, 0, 2)[n] % len(suggested)]
    if n == 3:  # placed in an occupation werkbrug did not suggest
        other = con.execute("""SELECT occupation_uri FROM matching.employer_occupations
                               WHERE occupation_uri NOT IN (SELECT unnest(?)) ORDER BY occupation_uri LIMIT 1""",
                            [suggested]).fetchone()
        occupation = other[0] if other else occupation
    begins = date.fromordinal(start.toordinal() + 70 + 7 * n)
    p = record_placement(con, actor=coach, participant_id=pid, placement={
        "employer_id": employers[n % len(employers)], "occupation_uri": occupation,
        "contract_type": ("fixed_term", "interim", "twe", "permanent", "fixed_term")[n], "hours_per_week": 30 + n,
        "starts_on": begins})
    stages.record_stage(con, actor=coach, participant_id=pid, stage="employed", on_date=begins)
    for months, still in ((3, True), (6, n != 4)):
        checked = date(begins.year + (begins.month - 1 + months) // 12, (begins.month - 1 + months) % 12 + 1, 15)
        if checked <= date.today():
            record_followup(con, actor=coach, placement_id=p.placement_id, months=months, still_employed=still,
                            same_employer=still, checked_on=checked)
    if n == 4:
        stages.record_stage(con, actor=coach, participant_id=pid, stage="left",
                            on_date=date.fromordinal(begins.toordinal() + 200))
