"""``werkbrug match …`` and ``werkbrug vacancy …``: job targets, shortlists, vacancies, Dutch requirements."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from assessment.profile import CompetenceProfile
from foundation.errors import InputError, Problem, validation_problems
from matching import service
from matching.language import SUB_SKILLS
from service.cli import matching_views as views
from service.cli.common import (
    ByOption,
    DbOption,
    JsonFlag,
    acting_person,
    label_language,
    matching_config,
    open_db,
    settings,
    user_errors,
)
from service.cli.progress import bar, status, tr
from service.cli.reading import TokenOption, UrlOption, read

console = Console()
match_app = typer.Typer(help="Matching: job targets (jobdoelwitten) and shortlists.", no_args_is_help=True)
vacancy_app = typer.Typer(help="Vacancies (vacatures): add, import, show, confirm.", no_args_is_help=True)
lang_app = typer.Typer(help="Dutch language requirements per occupation or ISCO group.", no_args_is_help=True)
match_app.add_typer(lang_app, name="language-requirements")


def _out(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def _read_profiles(path: Path) -> list[CompetenceProfile]:
    if not path.is_file():
        raise _no_such_file(path)
    profiles, problems = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            profiles.append(CompetenceProfile.model_validate_json(line))
        except ValidationError as exc:
            problems += validation_problems(exc, file=path.name, line=n)
    if problems:
        raise InputError(f"{path.name}: {len(problems)} problem(s) in the profiles", problems,
                         code="cli.profiles_invalid", params={"file": path.name, "count": len(problems)})
    return profiles


def _no_such_file(path: Path) -> InputError:
    return InputError(f"{path}: no such file", [Problem("file not found", file=str(path), code="cli.file_not_found")],
                      code="cli.no_such_file", params={"file": str(path)})


@match_app.command("targets")
def targets_command(
    participant: Annotated[str | None, typer.Argument(help="Participant id (or use --profiles).")] = None,
    profiles: Annotated[Path | None, typer.Option(help="JSON-lines file of competence profiles.")] = None,
    top: Annotated[int, typer.Option(help="How many occupations.")] = 10,
    as_json: JsonFlag = False, db: DbOption = None, by: ByOption = None, url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Job targets for one participant, or for every profile in a JSON-lines file."""
    from matching.job_targets import JobTargetsResult

    with user_errors():
        if (participant is None) == (profiles is None):
            raise InputError("Give a participant id or --profiles FILE (not both)", code="cli.participant_or_profiles")
        if profiles is not None:
            _bulk_targets(_read_profiles(profiles), top=top, as_json=as_json, db=db, by=by, url=url, token=token)
            return

        lang = label_language(as_json)

        def remote(server) -> JobTargetsResult:
            return JobTargetsResult.model_validate(
                server.get(f"/api/participants/{participant}/job-targets", top=top, lang=lang))

        res = read(db, by=by, url=url, token=token, remote=remote, local=lambda con, actor: (
            service.participant_job_targets(con, actor=actor, participant_id=participant, top=top, lang=lang,
                                            config=matching_config())))
    if as_json:
        _out(res.model_dump(mode="json"))
        return
    views.targets_table(res)


def _bulk_targets(items: list[CompetenceProfile], *, top: int, as_json: bool, db, by, url, token) -> None:
    """Job targets for many profiles, with a progress bar on standard error."""
    with bar("job targets", total=len(items)) as step:
        def local(con, actor) -> list[list[tuple[str, float]]]:
            return service.rank_profiles(con, actor=actor, profiles=items, top=top, config=matching_config(),
                                         progress=step)

        def remote(server) -> list[list[tuple[str, float]]]:
            out = []
            for p in items:
                got = server.post("/api/job-targets", json={"profile": p.model_dump(mode="json"), "top": top})
                out.append([(t["occupation_uri"], t["score"]) for t in got["targets"]])
                step(len(out))
            return out

        ranked = read(db, by=by, url=url, token=token, local=local, remote=remote)
    for p, res in zip(items, ranked, strict=True):
        row = {"participant_id": p.participant_id,
               "targets": [{"occupation_uri": u, "score": s, "rank": r} for r, (u, s) in enumerate(res, start=1)]}
        if as_json:
            _out(row)
        else:
            console.print(f"{p.participant_id}: " + ", ".join(u.rsplit("/", 1)[-1][:8] for u, _ in res))


@match_app.command("prepare")
def prepare_command(
    encoder: Annotated[str | None, typer.Option(help="Encoder for related skills (none: hierarchy only).")] = None,
    db: DbOption = None,
) -> None:
    """Build and store the related-skill lists once after a taxonomy import (slow once, then fast)."""
    import time

    from matching.config import MatchingConfig
    from matching.model import build_model

    with user_errors():
        con = open_db(db)
        cfg = matching_config() if encoder is None else MatchingConfig(
            encoder=None if encoder.lower() == "none" else encoder)
        t = time.perf_counter()
        with status("Building related-skill lists (embeds every skill label the first time)…"):
            model = build_model(con, config=cfg)
    console.print(tr("%(model)s: %(pairs)s related-skill pairs for %(skills)s skills, %(occupations)s occupations "
                     "(%(seconds)s s)", model=model.name, pairs=f"{model.P.nnz:,}", skills=f"{len(model.skill_uris):,}",
                     occupations=f"{len(model.occ_uris):,}", seconds=f"{time.perf_counter() - t:.1f}"))


@match_app.command("shortlist")
def shortlist_command(
    vacancy: Annotated[str, typer.Argument(help="Vacancy id, e.g. V-7KQ2M9XH4C.")],
    top: Annotated[int, typer.Option(help="How many candidates.")] = 20,
    as_json: JsonFlag = False, db: DbOption = None, by: ByOption = None,
) -> None:
    """A suggested shortlist of consenting candidates (per-vacancy codes) for a confirmed vacancy."""
    with user_errors():
        con = open_db(db)
        sl = service.pull_shortlist(con, actor=acting_person(con, by), vacancy_id=vacancy, top=top,
                                    config=matching_config())
    _show_shortlist(sl, as_json)


@match_app.command("shortlist-show")
def shortlist_show_command(
    shortlist: Annotated[str, typer.Argument(help="Shortlist id, e.g. S-4K7Q2M9XWB.")],
    as_json: JsonFlag = False, db: DbOption = None, by: ByOption = None, url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Show a shortlist pulled earlier (consenting candidates under their codes; audited)."""
    from matching.views import ShortlistView

    with user_errors():
        sl = read(db, by=by, url=url, token=token,
                  local=lambda con, actor: service.show_shortlist(con, actor=actor, shortlist_id=shortlist),
                  remote=lambda server: ShortlistView.model_validate(server.get(f"/api/shortlists/{shortlist}")))
    _show_shortlist(sl, as_json)


def _show_shortlist(sl, as_json: bool) -> None:
    if as_json:
        _out(sl.model_dump(mode="json"))
        return
    views.shortlist_table(sl)


@lang_app.command("show")
def lang_show(
    occupation: Annotated[str | None, typer.Option(help="Show the requirement of one occupation URI.")] = None,
    as_json: JsonFlag = False, db: DbOption = None, by: ByOption = None, url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Shipped defaults and overrides, or the requirement one occupation gets."""
    from fastapi.encoders import jsonable_encoder

    with user_errors():
        data = read(db, by=by, url=url, token=token, local=lambda con, actor: jsonable_encoder(
            service.language_requirements(con, actor=actor, occupation_uri=occupation)),
            remote=lambda server: server.get("/api/language-requirements", occupation_uri=occupation))
    if as_json:
        _out(data)
        return
    views.requirements_table(data)


@lang_app.command("set")
def lang_set(
    listening: Annotated[str, typer.Option()], reading: Annotated[str, typer.Option()],
    speaking: Annotated[str, typer.Option()], writing: Annotated[str, typer.Option()],
    occupation: Annotated[str | None, typer.Option(help="Occupation URI.")] = None,
    isco: Annotated[str | None, typer.Option(help="ISCO code (1-4 digits).")] = None,
    note: Annotated[str | None, typer.Option()] = None, db: DbOption = None, by: ByOption = None,
) -> None:
    """Override the Dutch requirement of an occupation or an ISCO group."""
    with user_errors():
        con = open_db(db)
        req = service.set_language_requirement(
            con, actor=acting_person(con, by), occupation_uri=occupation, isco_code=isco, note=note,
            levels=dict(zip(SUB_SKILLS, (listening, reading, speaking, writing), strict=True)))
    console.print(tr("Requirement saved.") + f" ({req.source}): " + "/".join(getattr(req, k) for k in SUB_SKILLS))


def _show_vacancy(v, as_json: bool) -> None:
    if as_json:
        _out(v.model_dump(mode="json"))
    else:
        views.vacancy_lines(v)


@vacancy_app.command("add")
def vacancy_add(
    title: Annotated[str, typer.Option()], description: Annotated[str, typer.Option()],
    employer: Annotated[str, typer.Option()], postcode: Annotated[str, typer.Option()],
    hours: Annotated[str, typer.Option(help="Hours per week, e.g. 38 or 37,5.")] = "38",
    shifts: Annotated[str, typer.Option(help="Comma-separated: day, early, late, night.")] = "day",
    weekends: Annotated[bool, typer.Option("--weekends/--no-weekends")] = False,
    dutch_level: Annotated[str | None, typer.Option(help="Declared Dutch level (all sub-skills).")] = None,
    licences: Annotated[str, typer.Option(help="Driving licences, comma-separated: B, C, CE, D …")] = "",
    as_json: JsonFlag = False, db: DbOption = None, by: ByOption = None,
) -> None:
    """Add a vacancy; werkbrug proposes occupations, skills and terms from the text for you to confirm."""
    with user_errors():
        con = open_db(db)
        v = service.create_vacancy(con, actor=acting_person(con, by), method=settings().vacancy_search,
                                   lang=label_language(as_json), vacancy={
            "title": title, "description": description, "employer": employer, "postcode": postcode,
            "hours_per_week": hours, "shifts": [s.strip() for s in shifts.split(",") if s.strip()],
            "weekends": weekends, "dutch_level": dutch_level,
            "licences": [x.strip() for x in licences.split(",") if x.strip()]})
    _show_vacancy(v, as_json)


@vacancy_app.command("import")
def vacancy_import(
    file: Annotated[Path, typer.Argument(help="CSV or Excel file, one vacancy per row.")],
    as_json: JsonFlag = False, db: DbOption = None, by: ByOption = None,
) -> None:
    """Import vacancies from CSV/Excel: every row or none (problems name row and column)."""
    with user_errors():
        if not file.is_file():
            raise _no_such_file(file)
        con = open_db(db)
        with bar("Proposing occupations and skills per vacancy of %(file)s", file=file.name) as step:
            got = service.import_vacancies(con, actor=acting_person(con, by), path=file, filename=file.name,
                                           method=settings().vacancy_search, progress=step)
    if as_json:
        _out([v.model_dump(mode="json") for v in got])
        return
    console.print(tr("%(n)s vacancies imported: %(ids)s", n=len(got), ids=", ".join(v.vacancy_id for v in got)))


@vacancy_app.command("show")
def vacancy_show(
    vacancy: Annotated[str, typer.Argument()], as_json: JsonFlag = False, db: DbOption = None,
    by: ByOption = None, url: UrlOption = None, token: TokenOption = None,
) -> None:
    """Show a vacancy with its proposal or its confirmed occupations and skills."""
    from matching.vacancies import Vacancy

    with user_errors():
        v = read(db, by=by, url=url, token=token,
                 local=lambda con, actor: service.show_vacancy(con, actor=actor, vacancy_id=vacancy,
                                                               lang=label_language(as_json)),
                 remote=lambda server: Vacancy.model_validate(server.get(f"/api/vacancies/{vacancy}",
                                                                         lang=label_language(as_json))))
    _show_vacancy(v, as_json)


@vacancy_app.command("list")
def vacancy_list(
    owner: Annotated[str | None, typer.Option()] = None, as_json: JsonFlag = False, db: DbOption = None,
    by: ByOption = None, url: UrlOption = None, token: TokenOption = None,
) -> None:
    """List vacancies (a liaison: their own; an administrator: all, or one liaison's)."""
    from matching.vacancies import Vacancy

    with user_errors():
        got = read(db, by=by, url=url, token=token,
                   local=lambda con, actor: service.list_vacancies(con, actor=actor, owner=owner),
                   remote=lambda server: [Vacancy.model_validate(v) for v in server.get("/api/vacancies",
                                                                                        owner=owner)])
    if as_json:
        _out([v.model_dump(mode="json") for v in got])
        return
    for v in got:
        views.vacancy_row(v)


@vacancy_app.command("confirm")
def vacancy_confirm(
    vacancy: Annotated[str, typer.Argument()],
    occupation: Annotated[list[str] | None, typer.Option(help="Occupation URI or number in the proposal.")] = None,
    skill: Annotated[list[str] | None, typer.Option(help="Required skill: URI or number in the proposal.")] = None,
    optional: Annotated[list[str] | None, typer.Option(help="Optional skill: URI or number.")] = None,
    terms_from_text: Annotated[bool, typer.Option(
        "--terms-from-text", help="Also confirm the proposed terms (Dutch level, licences, shifts, hours …).")] = False,
    as_json: JsonFlag = False, db: DbOption = None, by: ByOption = None,
) -> None:
    """Confirm (or edit) a vacancy's occupations and skills; only confirmed vacancies get shortlists."""
    from matching.vacancies import proposed_terms

    with user_errors():
        con = open_db(db)
        actor = acting_person(con, by)
        v = service.show_vacancy(con, actor=actor, vacancy_id=vacancy)

        def pick(values: list[str] | None, proposed: list) -> list[str]:
            out = []
            for x in values or []:
                if x.isdigit():
                    i = int(x)
                    if not 1 <= i <= len(proposed):
                        raise InputError(f"{x}: the proposal has {len(proposed)} items", code="cli.proposal_number",
                                         params={"value": x, "n": len(proposed)})
                    out.append(proposed[i - 1].uri)
                else:
                    out.append(x)
            return out

        v = service.confirm_vacancy(con, actor=actor, vacancy_id=vacancy,
                                    occupation_uris=pick(occupation, v.proposal.occupations),
                                    essential_skills=pick(skill, v.proposal.skills),
                                    optional_skills=pick(optional, v.proposal.skills),
                                    terms=proposed_terms(v) if terms_from_text else None)
    _show_vacancy(v, as_json)


@vacancy_app.command("index-skills")
def vacancy_index_skills(db: DbOption = None) -> None:
    """Embed every skill label the vacancy text reader and skill search use (once, ahead of time; minutes)."""
    from matching.vacancies.extraction import TRANSLATION, build_skill_vectors

    with user_errors():
        con = open_db(db)
        done = build_skill_vectors(con, progress=True)
    for name, n in done.items():
        console.print(tr("word table: %(n)s Dutch → English word pairs", n=f"{n:,}") if name == TRANSLATION
                      else tr("%(encoder)s: %(n)s labels embedded now", encoder=name, n=n), highlight=False)


def register(app: typer.Typer) -> None:
    """Add this domain's command groups to the main app."""
    app.add_typer(match_app, name="match")
    app.add_typer(vacancy_app, name="vacancy")
