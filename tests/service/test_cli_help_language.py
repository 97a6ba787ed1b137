"""``werkbrug --help`` and its usage errors speak the CLI's language; in English they stay as typer writes them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import typer
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from service.cli import app
from service.i18n import LOCALE_DIR, translations

ROOT = Path(__file__).resolve().parents[2]
#: Wide enough that no help sentence wraps inside its panel.
WIDE = {"COLUMNS": "400", "LC_ALL": None, "LC_MESSAGES": None}
NL, EN = {"LANG": "nl_BE.UTF-8", **WIDE}, {"LANG": "en_US.UTF-8", **WIDE}
#: Help texts that are the same word in Dutch.
SAME_IN_DUTCH = {"Sector."}
BRACES = re.compile(r"\{[^}]*\}")
runner = CliRunner()


def _tree():
    return typer.main.get_command(app)


def _paths(command, path=()):
    yield list(path), command
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from _paths(sub, (*path, name))


def _flat(text: str) -> str:
    """``text`` without the panels' box lines, on one line."""
    return " ".join(re.sub(r"[╭╮╰╯│─]+", " ", text).split())


def _english_sentences() -> set[str]:
    """The English help texts (each paragraph) that have a Dutch text of their own."""
    from service.cli.help_language import help_msgid, help_texts

    nl = translations("nl").gettext
    return {p for _, _, t in help_texts(_tree()) if nl(m := help_msgid(t)) != m for p in m.split("\n\n")}


def _po(lang: str, name: str) -> dict[str, str]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / name).open("rb") as f:
        return {m.id: m.string for m in read_po(f, locale=lang) if m.id}


def test_every_help_text_has_its_dutch_text_and_the_catalogue_holds_nothing_else() -> None:
    from service.cli.help_language import ERROR_TEMPLATES, FRAMEWORK_TEXTS, help_msgid, help_texts

    texts = {help_msgid(t) for _, _, t in help_texts(_tree())}
    assert len(texts) > 150  # the walk sees every group, command and parameter
    needed = texts | set(FRAMEWORK_TEXTS) | set(ERROR_TEMPLATES)
    nl = translations("nl").gettext
    missing = sorted(m for m in needed if (nl(m) == m or not nl(m).strip()) and m not in SAME_IN_DUTCH)
    assert not missing, f"no Dutch text in service/locale/nl/LC_MESSAGES/*.po for: {missing}"
    own = _po("nl", "clihelp.po")
    assert set(own) == set(_po("en", "clihelp.po"))
    assert not set(own) - needed, "clihelp.po entries no help text or typer string uses"
    others = {
        m
        for po in (LOCALE_DIR / "nl" / "LC_MESSAGES").glob("*.po")
        if po.name != "clihelp.po"
        for m in _po("nl", po.name)
    }
    assert not set(own) & others, "reuse the other catalogue's entry instead of a second wording"
    wrong = sorted(m for m in needed if sorted(BRACES.findall(nl(m))) != sorted(BRACES.findall(m)))
    assert not wrong, f"Dutch text with other placeholders than its msgid: {wrong}"


def test_help_of_the_app_a_group_and_a_command_is_dutch() -> None:
    r = runner.invoke(app, ["--help"], env=NL)
    out = _flat(r.output)
    assert r.exit_code == 0 and out.startswith("Gebruik: werkbrug [OPTIES] COMMANDO [ARGUMENTEN]...")
    assert "werkbrug: competenties in kaart brengen en jobs zoeken op basis van ESCO." in out
    assert "Deze dienst gebruikt de ESCO-classificatie van de Europese Commissie." in out
    assert " Opties --install-completion " in out and " Commando's serve " in out
    assert "--help <bool> Toon deze hulp en stop." in out
    assert "participant Deelnemers: registreren, oplijsten, tonen, toestemming." in out
    out = _flat(runner.invoke(app, ["taxonomy", "--help"], env=NL).output)
    assert "De ESCO-taxonomie: inlezen, indexeren en zoeken." in out
    assert "search Zoek ESCO-beroepen (of -vaardigheden) bij een titel, of bij elke regel van een bestand." in out
    out = _flat(runner.invoke(app, ["taxonomy", "search", "--help"], env=NL).output)
    assert "Bedt de taxonomie nooit in: zonder vectoren" in out
    assert "Aantal resultaten per zoekvraag. [standaard: 10]" in out
    assert "[omgevingsvariabele: WERKBRUG_URL]" in out and " Argumenten query " in out
    out = _flat(runner.invoke(app, ["user", "add", "--help"], env=NL).output)
    assert "username <str> Aanmeldnaam. [verplicht]" in out


def test_no_help_page_shows_an_english_sentence_under_dutch() -> None:
    from service.cli.help_language import help_msgid

    english = _english_sentences() | {
        "Usage:",
        "[OPTIONS]",
        "Options",
        "Commands",
        "Arguments",
        "Show this message and exit.",
        "[required]",
        "[default:",
        "[env var:",
    }
    nl = translations("nl").gettext
    pages = 0
    for path, command in _paths(_tree()):
        r = runner.invoke(app, [*path, "--help"], env=NL)
        out = _flat(r.output)
        assert r.exit_code == 0, path
        assert not [s for s in english if s in out], path
        own = command.help and nl(help_msgid(command.help)).split("\n\n")[0]
        assert not own or own in out, path  # the command's own help, in Dutch
        pages += 1
    assert pages > 50


def test_usage_errors_are_dutch_with_exit_code_2() -> None:
    cases = {
        ("taxonomy", "search", "--tpo", "3"): "Fout Onbekende optie: --tpo (mogelijke opties: --token, --top)",
        ("participant", "show"): "Het argument 'participant_id' ontbreekt.",
        ("user", "add", "bob"): "De optie '--role' ontbreekt.",
        ("taxonomy", "search", "x", "--top", "abc"): "Ongeldige waarde voor '--top': geef een geheel getal",
        ("taxonomy", "search", "x", "--top", "0"): "Ongeldige waarde voor '--top': geef minstens 1",
        ("assessment", "template", "--lang", "xx"): "'--lang': 'xx' kan niet: kies uit 'nl', 'en'.",
        ("taxonomy", "serch"): "Onbekend commando 'serch'. Bedoel je 'search'?",
        ("taxonomy", "search", "x", "y"): "Onverwachte extra argumenten: y",
    }
    for args, text in cases.items():
        r = runner.invoke(app, list(args), env=NL)
        err = _flat(r.stderr)
        assert r.exit_code == 2 and text in err, (args, err)
        assert err.startswith("Gebruik: werkbrug ") and "[OPTIES]" in err, err
    r = runner.invoke(app, ["participant", "show"], env=NL)
    assert "Zie 'werkbrug participant show --help' voor hulp." in _flat(r.stderr)


def test_english_help_and_errors_are_typers_own_even_after_dutch() -> None:
    runner.invoke(app, ["taxonomy", "search", "--help"], env=NL)
    for env in (EN, {"LANG": None, **WIDE}):
        out = _flat(runner.invoke(app, ["--help"], env=env).output)
        assert out.startswith("Usage: werkbrug [OPTIONS] COMMAND [ARGS]...") and " Options --install-completion " in out
        assert "This service uses the ESCO classification of the European Commission." in out
        assert "--help <bool> Show this message and exit." in out and "Gebruik" not in out and "Opties" not in out
        out = _flat(runner.invoke(app, ["taxonomy", "search", "--help"], env=env).output)
        assert "Number of results per query. [default: 10]" in out and "Zoek" not in out
        r = runner.invoke(app, ["participant", "show"], env=env)
        assert r.exit_code == 2 and "Missing argument 'participant_id'." in _flat(r.stderr)
        assert "Try 'werkbrug participant show --help' for help." in _flat(r.stderr)
        r = runner.invoke(app, ["taxonomy", "search", "--tpo", "3"], env=env)
        assert r.exit_code == 2 and "Error No such option: --tpo (Possible options: --token, --top)" in _flat(r.stderr)


def test_the_console_script_speaks_dutch() -> None:
    """The entry point pyproject.toml declares, in a process of its own under a Flemish locale."""
    target = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["werkbrug"]
    module, function = target.split(":")
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}
    env.update(LANG="nl_BE.UTF-8", COLUMNS="200")
    code = f"import sys; sys.argv[0] = 'werkbrug'; from {module} import {function}; {function}()"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT,
                              timeout=120, check=False)

    r = run("-c", code, "match", "--help")
    out = _flat(r.stdout)
    assert r.returncode == 0, r.stderr
    assert out.startswith("Gebruik: werkbrug match [OPTIES] COMMANDO [ARGUMENTEN]...")
    assert "Matching: jobdoelwitten en kortlijsten." in out and "Toon deze hulp en stop." in out
    r = run("-m", "service.cli", "match", "--bogus")
    assert r.returncode == 2 and "Onbekende optie: --bogus" in r.stderr
