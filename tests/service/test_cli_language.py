"""Every line the CLI prints for a person is in the CLI's language; ``--json`` is the same in both."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from service.cli import app
from service.i18n import LOCALE_DIR
from tests.service.world import FAST_ENV, World, build_world, fast_matching

CLI_DIR = Path(__file__).resolve().parents[2] / "service" / "cli"
#: The functions that take an English msgid as their first argument.
MSGID_FUNCTIONS = {"tr", "status", "bar", "_"}
#: The only functions that may pass a msgid they were given (they are the renderers).
PASS_THROUGH = {"progress.py"}
NL, EN = {"LANG": "nl_BE.UTF-8", **FAST_ENV}, {"LANG": "en_US.UTF-8", **FAST_ENV}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
runner = CliRunner()


def _catalogue(lang: str) -> dict[str, str]:
    """The merged catalogue of ``lang``, as :func:`service.i18n.translations` merges it (messages.po first)."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    merged: dict[str, str] = {}
    for po in sorted(folder.glob("*.po"), key=lambda p: (p.name != "messages.po", p.name)):
        with po.open("rb") as f:
            for m in read_po(f, locale=lang):
                if m.id:  # a plural entry under its singular id, with its singular text
                    key, text = (m.id, m.string) if isinstance(m.id, str) else (m.id[0], m.string[0])
                    merged[key] = text
    return merged


def _msgids(path: Path) -> tuple[list[str], list[str]]:
    """The literal msgids passed to the msgid functions in ``path`` (both branches of ``a if c else b``),
    and the calls that pass something else."""
    found, other = [], []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MSGID_FUNCTIONS
                and node.args):
            continue
        todo = [node.args[0]]
        while todo:
            arg = todo.pop()
            if isinstance(arg, ast.IfExp):
                todo += [arg.body, arg.orelse]
            elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append(arg.value)
            else:
                other.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return found, other


def test_every_cli_line_has_a_dutch_translation() -> None:
    nl = _catalogue("nl")
    msgids, untranslatable = set(), []
    for path in sorted(CLI_DIR.glob("*.py")):
        found, other = _msgids(path)
        msgids |= set(found)
        if path.name not in PASS_THROUGH:
            untranslatable += other
    assert len(msgids) > 100  # the collector sees the CLI's lines
    assert not untranslatable, "msgids must be literals, so this test can check them"
    missing = sorted(m for m in msgids if not nl.get(m, "").strip())
    assert not missing, f"no Dutch text in service/locale/nl/LC_MESSAGES/*.po for: {missing}"
    wrong = sorted(m for m in msgids if set(PLACEHOLDER.findall(nl[m])) != set(PLACEHOLDER.findall(m)))
    assert not wrong, f"Dutch text with other placeholders than its msgid: {wrong}"


def test_every_code_the_cli_passes_has_a_dutch_text() -> None:
    """(That every error the CLI raises has a code at all: tests/service/test_error_codes.py, for every package.)"""
    nl, en = _catalogue("nl"), _catalogue("en")
    codes = {kw.value.value for path in CLI_DIR.glob("*.py") for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Call) for kw in node.keywords
             if kw.arg == "code" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)}
    assert len(codes) > 10
    assert not sorted(c for c in codes if not nl.get(c, "").strip() or not en.get(c, "").strip())


def test_the_cli_catalogue_is_complete_and_says_nothing_twice() -> None:
    def ids(po: Path) -> set[str]:
        with po.open("rb") as f:
            return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}

    own = {lang: ids(LOCALE_DIR / lang / "LC_MESSAGES" / "clinl.po") for lang in ("nl", "en")}
    assert own["nl"] == own["en"]
    for lang in ("nl", "en"):
        others = set()
        for po in (LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"):
            if po.name != "clinl.po":
                others |= ids(po)
        assert not own[lang] & others, "reuse the UI's entry instead of a second wording"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    from assessment.participants import create_participant
    from assessment.stages import record_stage
    from foundation.actor import Role, User
    from foundation.db import connect
    from matching.employers import add_concern, add_event

    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("cli-language") / "w.duckdb")
    con = connect(w.db)
    liaison, coach = User("liaison", "liaison", Role.liaison), User("coach", "coach", Role.coach)
    add_event(con, actor=liaison, employer_id=w.employer, kind="workplace_visit", happened_on="2026-02-03")
    add_concern(con, actor=liaison, employer_id=w.employer, code="childcare", raised_on="2026-02-04")
    left = create_participant(con, by="assessor", details={"coach": "coach"}).participant_id
    record_stage(con, actor=coach, participant_id=left, stage="left", on_date="2020-05-01")
    con.close()
    _run(EN, "participant", "show", w.participant, "--db", str(w.db), "--by", "coach")  # an audited read
    return w


def _run(env: dict, *args: str) -> str:
    r = runner.invoke(app, list(args), env=env)
    assert r.exit_code == 0, r.output
    return " ".join(r.stdout.split())


def _run_process(env: dict, *args: str) -> str:
    """The CLI in a process of its own: its tables take the width of its own environment (a console made
    in this process keeps the width it started with)."""
    r = subprocess.run([sys.executable, "-c", "from service.cli import app; app()", *args], capture_output=True,
                       text=True, env={**os.environ, **env}, timeout=300, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    return " ".join(r.stdout.split())


def _both(world: World, *args: str) -> tuple[str, str]:
    return _run(NL, *args, "--db", str(world.db)), _run(EN, *args, "--db", str(world.db))


def test_participant_add_list_and_consent_speak_the_users_language(world: World) -> None:
    nl = _run(NL, "participant", "add", "--postcode", "8000", "--db", str(world.db), "--by", "assessor")
    en = _run(EN, "participant", "add", "--postcode", "8000", "--db", str(world.db), "--by", "assessor")
    assert re.fullmatch(r"Deelnemer P-\w{6} geregistreerd\.", nl) and re.fullmatch(r"Participant P-\w{6} registered\.",
                                                                                      en)
    nl, en = _both(world, "participant", "list", "--by", "admin")
    assert "Toestemming" in nl and "deelnemer(s)" in nl and " ja " in nl and "Consent" not in nl
    assert "Consent" in en and "participant(s)" in en and " yes " in en and "Toestemming" not in en
    for lang, env, text in (("nl", NL, "toestemming ingetrokken"), ("en", EN, "consent withdrawn")):
        assert _run(env, "participant", "consent", world.no_consent, "--withdraw", "--db", str(world.db),
                    "--by", "coach") == f"{world.no_consent}: {text}", lang
    nl, en = _both(world, "participant", "show", world.participant, "--by", "coach")
    assert "│ Vervoer │ Fiets │" in nl and "│ Kan in het weekend werken │ nee │" in nl and "bike" not in nl
    assert "│ Transport │ Bicycle │" in en and "│ Can work weekends │ no │" in en
    nl, en = _both(world, "profile", "show", world.participant, "--by", "coach")
    assert "Nederlands: luisteren A2, lezen -" in nl and "zelf opgegeven" in nl and "self_declared" not in nl
    assert "Dutch: listening A2, reading -" in en and "self-declared" in en


def test_vacancy_and_shortlist_lines_in_dutch_and_english(world: World) -> None:
    nl, en = _both(world, "vacancy", "show", world.vacancy, "--by", "liaison")
    assert "(bevestigd; eigenaar liaison)" in nl and "Uren per week: 38" in nl and "Ploegen: dag" in nl
    assert "Vereist Nederlands (ERK): luisteren -" in nl and "Bevestigd door liaison" in nl
    assert "(confirmed; owner liaison)" in en and "Hours per week: 38" in en and "Shifts: day" in en
    assert "Dutch required (CEFR): listening -" in en and "Confirmed by liaison" in en
    assert "nee" not in en and "shifts" not in nl
    nl, en = _both(world, "match", "shortlist-show", world.shortlist, "--by", "liaison")
    assert "Kortlijst" in nl and "Kandidaat" in nl and "bekeken; weggefilterd: pendelafstand 0" in nl
    assert "Shortlist" in en and "Candidate" in en and "considered; filtered out: commute 0" in en
    assert "kloof" not in en and "pendel" not in en
    nl, en = _both(world, "match", "language-requirements", "show", "--by", "admin")
    assert "vereist niveau" in nl and "Luisteren" in nl and "Notitie" in nl and "Listening" not in nl
    assert "required level" in en and "Listening" in en and "Note" in en and "Luisteren" not in en


def test_employer_and_retention_lines_use_the_uis_words(world: World) -> None:
    nl, en = _both(world, "employer", "show", world.employer, "--by", "liaison")
    assert "2026-02-03 Bedrijfsbezoek" in nl and "Bezorgdheid 2026-02-04 Kinderopvang" in nl
    assert "2026-02-03 Workplace visit" in en and "Concern 2026-02-04 Childcare" in en
    assert "workplace_visit" not in nl + en and "childcare" not in nl + en and "beroep:" not in en
    nl, en = _both(world, "participant", "retention", "--by", "admin")
    assert re.search(r"P-\w{6} uitgestroomd op 2020-05-01 \(\d+ maanden geleden\) 1 te wissen$", nl)
    assert re.search(r"P-\w{6} left on 2020-05-01 \(\d+ months ago\) 1 due for erasure$", en)


def test_audit_verify_names_its_fields_and_problems_in_the_users_language(world: World, tmp_path: Path) -> None:
    nl, en = _both(world, "audit", "verify", "--by", "admin")
    assert nl.startswith("intact: ja regels: ") and "problemen: []" in nl
    assert en.startswith("intact: True entries: ") and "problems: []" in en  # as it always was
    nl, en = _both(world, "audit", "list", "--action", "read_participant", "--by", "admin")
    assert "(Trajectbegeleider) deelnemer bekeken deelnemer" in nl and "begeleiding" in nl
    assert "(Coach) participant viewed participant" in en and "coaching" in en and "read_participant" not in en
    headless = tmp_path / "copy.duckdb"  # the database without its signed head file beside it
    shutil.copy(world.db, headless)
    key = world.db.with_name(world.db.name + ".audit-key")  # none when the key came from the settings
    if key.is_file():
        shutil.copy(key, tmp_path / "copy.duckdb.audit-key")
    for env, text in ((NL, "problemen: het ondertekende kopbestand naast de databank ontbreekt (audit.head_missing)"),
                      (EN, "problems: the signed head file beside the database is missing (audit.head_missing)")):
        r = runner.invoke(app, ["audit", "verify", "--db", str(headless)], env=env)
        assert r.exit_code == 1 and text in " ".join(r.stdout.split())


def test_a_cli_error_is_in_the_users_language(world: World) -> None:
    for env, text in ((NL, "Fout: Geef een deelnemer-id of --profiles BESTAND (niet allebei)"),
                      (EN, "Error: Give a participant id or --profiles FILE (not both)")):
        r = runner.invoke(app, ["match", "targets", "--db", str(world.db)], env=env)
        assert r.exit_code == 2 and " ".join(r.stderr.split()) == text
    r = runner.invoke(app, ["match", "targets", "P-NOSUCH", "--db", str(world.db), "--by", "coach"], env=NL)
    assert r.exit_code == 3 and "Niet gevonden: deze deelnemer bestaat niet" in r.stderr
    assert "deze participant" not in r.stderr
    r = runner.invoke(app, ["user", "list", "--db", str(world.db)], env={**NL, "WERKBRUG_VACANCY_SEARCH": "fuzzy"})
    assert r.exit_code == 2 and "Instelling vacancy_search: 'fuzzy' kan niet: kies uit" in " ".join(r.stderr.split())
    r = runner.invoke(app, ["participant", "add", "--experience", "x=veel", "--db", str(world.db)], env=NL)
    assert r.exit_code == 2 and "het aantal jaren moet een getal zijn" in r.stderr
    assert "'veel' is geen getal" in r.stderr


@pytest.mark.parametrize("args", [
    ("participant", "list", "--by", "admin"),
    ("participant", "retention", "--by", "admin"),
    ("vacancy", "show", "{vacancy}", "--by", "liaison"),
    ("vacancy", "list", "--by", "liaison"),
    ("employer", "show", "{employer}", "--by", "liaison"),
    ("profile", "show", "{participant}", "--by", "coach"),
    ("match", "targets", "{participant}", "--by", "coach"),
    ("match", "language-requirements", "show", "--by", "admin"),
    ("audit", "verify", "--by", "admin"),
    ("audit", "list", "--action", "read_participant", "--by", "admin"),
])
def test_json_is_the_same_in_both_languages(world: World, args: tuple[str, ...]) -> None:
    filled = [a.format(vacancy=world.vacancy, employer=world.employer, participant=world.participant) for a in args]
    nl, en = _both(world, *filled, "--json")
    if args[0] == "match":  # each ranking is logged: only its log row differs
        nl, en = (re.sub(r'"log_id": \d+', '"log_id": 0', text) for text in (nl, en))
    assert nl == en and nl.startswith(("[", "{"))


def test_esco_labels_are_in_the_clis_language_with_the_webs_english_fallback(world: World) -> None:
    from foundation.db import connect
    from taxonomy.store import preferred_labels

    data = json.loads(_run(EN, "match", "targets", world.participant, "--db", str(world.db), "--by", "coach",
                           "--json"))
    profile = json.loads(_run(EN, "profile", "show", world.participant, "--db", str(world.db), "--by", "coach",
                              "--json"))
    con = connect(world.db, read_only=True)
    occupations = [t["occupation_uri"] for t in data["targets"]]
    skills = [s["uri"] for s in profile["skills"]]
    nl_names, en_names = (preferred_labels(con, occupations + skills, lang=lg) for lg in ("nl", "en"))
    con.close()
    assert [t["label"] for t in data["targets"]] == [nl_names[u] for u in occupations]  # --json: as it always was
    assert [s["label"] for s in profile["skills"]] == [nl_names[u] for u in skills]
    for what, uris in (("targets", occupations), ("profile", skills)):
        args = ("match", "targets") if what == "targets" else ("profile", "show")
        nl, en = (_run_process({**env, "COLUMNS": "200"}, *args, world.participant, "--by", "coach",
                               "--db", str(world.db)) for env in (NL, EN))  # wide enough that no label is cut
        differ = [u for u in uris if nl_names[u] != en_names[u]]
        assert differ, f"the {what} show no label ESCO has in both languages"
        for u in differ:  # each word of the label (a table cell may wrap), not the other language's words
            assert set(nl_names[u].split()) <= set(nl.split()) and not set(en_names[u].split()) <= set(nl.split()), u
            assert set(en_names[u].split()) <= set(en.split()) and not set(nl_names[u].split()) <= set(en.split()), u


def test_a_vacancy_proposal_reads_in_the_clis_language(world: World, tmp_path: Path) -> None:
    """The proposal keeps the labels it was made with; `vacancy show` prints each in the reader's language."""
    from foundation.db import connect
    from taxonomy.store import preferred_labels

    db = tmp_path / "w.duckdb"
    shutil.copy(world.db, db)
    made = json.loads(_run(NL, "vacancy", "add", "--title", "Heftruckchauffeur", "--employer", "Logistiek Brugge",
                           "--postcode", "8000", "--description",
                           "Je bedient een heftruck in het magazijn. Je laadt en lost vrachtwagens.",
                           "--db", str(db), "--by", "liaison", "--json"))
    proposal = made["proposal"]
    uris = [o["uri"] for o in proposal["occupations"]] + [s["uri"] for s in proposal["skills"]]
    con = connect(db, read_only=True)
    nl_names, en_names = (preferred_labels(con, uris, lang=lg) for lg in ("nl", "en"))
    con.close()
    assert [o["label"] for o in proposal["occupations"]] == [nl_names[o["uri"]] for o in proposal["occupations"]]
    nl, en = (_run(env, "vacancy", "show", made["vacancy_id"], "--db", str(db), "--by", "liaison")
              for env in (NL, EN))
    differ = [u for u in uris if nl_names[u] != en_names[u]]
    assert differ, "the proposal shows no label ESCO has in both languages"
    for u in differ:
        assert f"{nl_names[u]} (" in nl and f"{en_names[u]} (" not in nl, u
        assert f"{en_names[u]} (" in en and f"{nl_names[u]} (" not in en, u
    shown = json.loads(_run(EN, "vacancy", "show", made["vacancy_id"], "--db", str(db), "--by", "liaison", "--json"))
    assert shown["proposal"] == proposal                      # --json: as it always was
