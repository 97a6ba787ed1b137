"""``werkbrug participant|assessment|profile …``: participants, assessments and competence profiles."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Column, Table

from assessment import service, service_records
from assessment.batch_template import write_template
from assessment.instrument import get_instrument, instrument_json_schema, load_instruments
from assessment.profile import CompetenceProfile, profile_json_schema
from foundation.errors import InputError, Problem
from matching.language import SUB_SKILLS
from matching.service import export_participant
from service.cli import words
from service.cli.common import ByOption, DbOption, JsonFlag, acting_person, label_language, open_db, user_errors
from service.cli.progress import status, tr
from service.cli.reading import TokenOption, UrlOption, read

console = Console()
participant_app = typer.Typer(help="Participants (deelnemers): register, list, show, consent.", no_args_is_help=True)
assessment_app = typer.Typer(help="Assessments: record, Excel/CSV templates and imports, instruments.",
                             no_args_is_help=True)
profile_app = typer.Typer(help="Competence profiles: show, GDPR export, JSON schema.", no_args_is_help=True)


def _print_json(data) -> None:
    console.print_json(json.dumps(data, ensure_ascii=False, default=str))


def _pairs(values: list[str], option: str) -> list[tuple[str, str]]:
    out = []
    for v in values:
        key, sep, value = v.rpartition("=")
        if not sep or not key.strip():
            raise InputError(f"{option}: use KEY=VALUE", [Problem(
                f"{v!r} has no '='", column=option, code="cli.key_value.missing", params={"value": repr(v)})],
                code="cli.key_value", params={"option": option})
        out.append((key.strip(), value.strip()))
    return out


# ---------------------------------------------------------------- participants


@participant_app.command("add")
def participant_add(
    db: DbOption = None,
    by: ByOption = None,
    coach: Annotated[str | None, typer.Option(help="Username of the coach.")] = None,
    postcode: Annotated[str | None, typer.Option(help="Belgian postcode, e.g. 8000.")] = None,
    transport: Annotated[list[str], typer.Option(help="walk, bike, ebike_moped, public_transport, car.")] = [],  # noqa: B006
    max_commute: Annotated[int, typer.Option(help="Maximum commute in minutes.")] = 45,
    hours: Annotated[int, typer.Option(help="Hours per week available.")] = 38,
    shift: Annotated[list[str], typer.Option(help="day, early, late, night.")] = ["day"],  # noqa: B006
    weekends: Annotated[bool, typer.Option(help="Available at weekends.")] = False,
    sector: Annotated[list[str], typer.Option(help="Preferred sector.")] = [],  # noqa: B006
    prefer: Annotated[list[str], typer.Option(help="Preferred ESCO occupation URI.")] = [],  # noqa: B006
    experience: Annotated[list[str], typer.Option(help="Work experience: ESCO_OCCUPATION_URI=YEARS.")] = [],  # noqa: B006
    experience_text: Annotated[str | None, typer.Option(help="Work experience in the participant's words.")] = None,
    education: Annotated[str | None, typer.Option(help="none, primary, lower_secondary, … higher.")] = None,
    diploma: Annotated[str | None, typer.Option(help="Diploma recognition: pending, recognised, …")] = None,
    language: Annotated[list[str], typer.Option(help="Language spoken (ISO 639 code).")] = [],  # noqa: B006
    declared_skill: Annotated[list[str], typer.Option(help="ESCO skill URI the participant declares.")] = [],  # noqa: B006
    name: Annotated[str | None, typer.Option(help="Name (stored apart, never in a profile).")] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    referrer: Annotated[str | None, typer.Option(help="Referrer, e.g. OCMW Brugge.")] = None,
    consent: Annotated[bool, typer.Option(help="The participant consents to share a pseudonymised profile.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Register a participant; prints the new pseudonymous id."""
    with user_errors():
        exp = []
        for uri, years in _pairs(experience, "--experience"):
            try:
                exp.append({"occupation_uri": uri, "years": float(years)})
            except ValueError as exc:
                raise InputError("--experience: years must be a number", [Problem(
                    f"{years!r} is not a number", column="--experience", code="cli.not_a_number",
                    params={"value": repr(years)})], code="cli.experience_years") from exc
        details = {
            "coach": coach, "postcode": postcode, "transport_modes": transport, "max_commute_minutes": max_commute,
            "hours_per_week": hours, "shifts": shift, "weekends": weekends, "preferred_sectors": sector,
            "preferred_occupations": prefer, "experience": exp, "experience_text": experience_text,
            "education_level": education, "diploma_recognition": diploma, "languages": language,
            "declared_skills": declared_skill,
        }
        contact = {"name": name, "phone": phone, "email": email, "referrer": referrer}
        con = open_db(db)
        try:
            p = service.register_participant(con, actor=acting_person(con, by), details=details, consent=consent,
                                             contact=contact if any(contact.values()) else None)
        finally:
            con.close()
    if as_json:
        _print_json(p.model_dump(mode="json"))
    else:
        console.print(tr("Participant %(id)s registered.", id=f"[bold]{p.participant_id}[/]"))


@participant_app.command("list")
def participant_list(
    db: DbOption = None,
    coach: Annotated[str | None, typer.Option(help="Only this coach's caseload.")] = None,
    consenting: Annotated[bool, typer.Option("--consenting", help="Only participants who consent.")] = False,
    search: Annotated[str | None, typer.Option(help="Part of an id or name.")] = None,
    as_json: JsonFlag = False,
    by: ByOption = None,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """List participants, newest first (a coach: only their caseload)."""
    from assessment.participants import Participant

    def local(con, actor) -> list[Participant]:
        rows = service.list_participants(con, actor=actor, coach=coach, consenting_only=consenting, search=search,
                                         limit=None)
        return [p for p, _name in rows]

    def remote(server) -> list[Participant]:
        got = server.get("/api/participants", coach=coach, consenting_only=consenting, search=search, limit=1000)
        return [Participant.model_validate(p) for p in got]

    with user_errors():
        people = read(db, by=by, url=url, token=token, local=local, remote=remote)
    if as_json:
        _print_json([p.model_dump(mode="json") for p in people])
        return
    table = Table(Column(tr("Participant"), no_wrap=True), tr("Coach"), tr("Postcode"), tr("Consent"),
                  Column(tr("Registered"), no_wrap=True))
    for p in people:
        table.add_row(p.participant_id, p.coach or "", p.postcode or "", words.yes_no(p.consent),
                      f"{p.created_at:%Y-%m-%d}")
    console.print(table)
    console.print(tr("%(n)s participant(s)", n=len(people)))


@participant_app.command("show")
def participant_show(
    participant_id: Annotated[str, typer.Argument(help="Participant id, e.g. P-7F3K2A.")],
    db: DbOption = None,
    contact: Annotated[bool, typer.Option("--contact", help="Also show contact details.")] = False,
    as_json: JsonFlag = False,
    by: ByOption = None,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Show one participant and their assessment records (each read is audited)."""
    from assessment.participants import Contact, Participant
    from assessment.records import Record

    def local(con, actor):
        p = service.show_participant(con, actor=actor, participant_id=participant_id)
        records = service_records.read_records(con, actor=actor, participant_id=participant_id)
        details = service.read_contact(con, actor=actor, participant_id=participant_id) if contact else None
        return p, records, details

    def remote(server):
        base = f"/api/participants/{participant_id}"
        p = Participant.model_validate(server.get(base))
        records = [Record.model_validate(r) for r in server.get(f"{base}/assessments")]
        details = Contact.model_validate(server.get(f"{base}/contact")) if contact else None
        return p, records, details

    with user_errors():
        p, records, details = read(db, by=by, url=url, token=token, local=local, remote=remote)
    if as_json:
        data = p.model_dump(mode="json") | {"records": [r.model_dump(mode="json") for r in records]}
        if details is not None:
            data["contact"] = details.model_dump(mode="json")
        _print_json(data)
        return
    table = Table("field", "value", show_header=False)
    for key, value in p.model_dump(mode="json").items():
        table.add_row(words.participant_field(key), words.participant_value(key, value))
    if details is not None:
        for key, value in details.model_dump().items():
            table.add_row(words.participant_field(f"contact.{key}"), str(value or ""))
    console.print(table)
    rec = Table(Column(tr("Record"), no_wrap=True), Column(tr("Instrument"), no_wrap=True),
                Column(tr("Date"), no_wrap=True), tr("Assessor"), tr("Scores"), tr("Status"))
    for r in records:
        rec.add_row(r.record_id, f"{r.instrument_id} v{r.instrument_version}", str(r.assessed_on), r.assessor,
                    ", ".join(f"{k}={v}" for k, v in r.scores.items()),
                    tr("corrected by %(id)s", id=r.superseded_by) if r.superseded_by else tr("current"))
    console.print(rec)


@participant_app.command("consent")
def participant_consent(
    participant_id: Annotated[str, typer.Argument(help="Participant id.")],
    give: Annotated[bool, typer.Option("--give/--withdraw", help="Give or withdraw consent.")],
    db: DbOption = None,
    by: ByOption = None,
    note: Annotated[str | None, typer.Option(help="How consent was given or withdrawn.")] = None,
) -> None:
    """Give or withdraw consent to share the pseudonymised profile with employers."""
    with user_errors():
        con = open_db(db)
        try:
            p = service.change_consent(con, actor=acting_person(con, by), participant_id=participant_id, given=give,
                                       note=note)
        finally:
            con.close()
    console.print(tr("%(id)s: consent given", id=p.participant_id) if p.consent
                  else tr("%(id)s: consent withdrawn", id=p.participant_id))


# ---------------------------------------------------------------- assessments


@assessment_app.command("record")
def assessment_record(
    participant_id: Annotated[str, typer.Argument(help="Participant id.")],
    instrument: Annotated[str, typer.Argument(help="Instrument id (see `werkbrug assessment instruments`).")],
    score: Annotated[list[str], typer.Option("--score", "-s", help="ITEM=SCORE (or ITEM=CEFR level).")],
    db: DbOption = None,
    assessor: ByOption = None,
    on: Annotated[str | None, typer.Option("--date", help="Assessment date (YYYY-MM-DD, default today).")] = None,
    corrects: Annotated[str | None, typer.Option(help="Record id this one corrects.")] = None,
    comment: Annotated[str | None, typer.Option()] = None,
    version: Annotated[str | None, typer.Option(help="Instrument version (default: latest).")] = None,
) -> None:
    """Record one assessment (append-only: use --corrects to replace an earlier record)."""
    with user_errors():
        scores = dict(_pairs(score, "--score"))
        con = open_db(db)
        try:
            r = service_records.record_result(
                con, actor=acting_person(con, assessor), participant_id=participant_id, instrument_id=instrument,
                assessed_on=on or date.today().isoformat(), scores=scores, corrects=corrects,
                instrument_version=version, comment=comment)
        finally:
            con.close()
    console.print(tr("Recorded %(id)s (%(instrument)s v%(version)s, %(n)s item(s)) for %(participant)s",
                     id=f"[bold]{r.record_id}[/]", instrument=r.instrument_id, version=r.instrument_version,
                     n=len(r.scores), participant=r.participant_id))


@assessment_app.command("import")
def assessment_import(
    file: Annotated[Path, typer.Argument(help="Filled-in template (.xlsx or .csv).")],
    db: DbOption = None,
    assessor: ByOption = None,
) -> None:
    """Import a filled-in sheet: every row is checked first; all rows are stored, or none."""
    with user_errors(), status("Checking and importing %(file)s…", file=file.name):
        con = open_db(db)
        try:
            report = service_records.import_results(con, actor=acting_person(con, assessor), path=file)
        finally:
            con.close()
    console.print(tr("Imported %(n)s record(s) for %(instrument)s v%(version)s as batch %(id)s",
                     n=report.n_records, instrument=report.instrument_id, version=report.instrument_version,
                     id=f"[bold]{report.batch_id}[/]"))


class Language(StrEnum):
    nl = "nl"
    en = "en"


@assessment_app.command("template")
def assessment_template(
    instrument: Annotated[str, typer.Argument(help="Instrument id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write (.xlsx or .csv).")],
    participant: Annotated[list[str], typer.Option(help="Pre-fill a row for this participant id.")] = [],  # noqa: B006
    version: Annotated[str | None, typer.Option(help="Instrument version (default: latest).")] = None,
    lang: Annotated[Language, typer.Option("--lang", help="Headers and instructions in this language.")] = Language.nl,
) -> None:
    """Write a fill-in sheet for assessors (one row per participant, one column per item)."""
    with user_errors():
        path = write_template(instrument, out, version=version, participant_ids=participant, lang=str(lang))
    console.print(tr("Wrote %(file)s", file=path))


@assessment_app.command("instruments")
def assessment_instruments(
    show: Annotated[str | None, typer.Option(help="Show the items of one instrument.")] = None,
    schema: Annotated[bool, typer.Option("--schema", help="Print the JSON schema of instrument files.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """List the assessment instruments (or show one, or print the file schema)."""
    with user_errors():
        if schema:
            _print_json(instrument_json_schema())
            return
        if show:
            inst = get_instrument(show)
            if as_json:
                _print_json(inst.model_dump(mode="json"))
                return
            console.print(f"[bold]{inst.title.nl}[/] / {inst.title.en}  ({inst.id} v{inst.version}, "
                          f"{words.instrument_kind(inst.kind)})")
            table = Table(tr("Item"), "nl", "en", tr("ESCO skills (weight)"))
            for item in inst.items:
                table.add_row(item.id, item.text.nl, item.text.en,
                              "\n".join(f"{s.uri.rsplit('/', 1)[-1]} ({s.weight:g})" for s in item.skills))
            console.print(table)
            return
        instruments = load_instruments()
    if as_json:
        _print_json([{"id": i.id, "version": i.version, "kind": i.kind, "domain": i.domain,
                      "title": i.title.model_dump()} for i in instruments.values()])
        return
    table = Table(Column("id", no_wrap=True), tr("Version"), tr("Kind"), tr("Domain"), tr("Title"), tr("Items"))
    from service.messages import cli_language

    for i in instruments.values():
        table.add_row(i.id, i.version, words.instrument_kind(i.kind), i.domain, getattr(i.title, cli_language()),
                      str(len(i.items)))
    console.print(table)


# ---------------------------------------------------------------- profiles


@profile_app.command("show")
def profile_show(
    participant_id: Annotated[str, typer.Argument(help="Participant id.")],
    db: DbOption = None,
    as_json: JsonFlag = False,
    by: ByOption = None,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Show the competence profile (what matching sees) of one participant."""
    lang = label_language(as_json)

    def remote(server) -> CompetenceProfile:
        return CompetenceProfile.model_validate(server.get(f"/api/participants/{participant_id}/profile", lang=lang))

    with user_errors():
        profile = read(db, by=by, url=url, token=token, remote=remote, local=lambda con, actor: (
            service.read_profile(con, actor=actor, participant_id=participant_id, lang=lang)))
    if as_json:
        _print_json(profile.model_dump(mode="json"))
        return
    d = profile.dutch
    levels = {k: getattr(d, k) for k in SUB_SKILLS}
    console.print(f"[bold]{profile.participant_id}[/]  " + tr("Dutch: %(levels)s", levels=words.dutch_levels(levels)))
    table = Table(tr("Skill"), tr("Level"), tr("Confidence"), tr("Evidence"))
    for s in profile.skills:
        table.add_row(s.label or s.uri, f"{s.level:.2f}", f"{s.confidence:.2f}", words.evidence(s.evidence_kind))
    console.print(table)


@profile_app.command("export")
def profile_export(
    participant_id: Annotated[str, typer.Argument(help="Participant id.")],
    db: DbOption = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None,
    by: ByOption = None,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Everything stored about one participant, as JSON (basis of a GDPR access request; audited)."""
    from fastapi.encoders import jsonable_encoder

    def local(con, actor) -> dict:
        return jsonable_encoder(export_participant(con, actor=actor, participant_id=participant_id))

    with user_errors():
        data = read(db, by=by, url=url, token=token, local=local,
                    remote=lambda server: server.get(f"/api/participants/{participant_id}/export"))
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(tr("Wrote %(file)s", file=out))


@profile_app.command("schema")
def profile_schema() -> None:
    """Print the JSON schema of the competence-profile format (werkbrug.profile/1)."""
    typer.echo(json.dumps(profile_json_schema(), indent=2))


def register(app: typer.Typer) -> None:
    """Add this domain's command groups to the main app."""
    app.add_typer(participant_app, name="participant")
    app.add_typer(assessment_app, name="assessment")
    app.add_typer(profile_app, name="profile")
