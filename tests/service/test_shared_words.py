"""Words shared by the pages and the CLI come from one function each, in the same order as the facts they name."""

from __future__ import annotations

import pytest

from matching.language import SUB_SKILLS
from service.i18n import translator
from service.labels import sub_skill_labels, sub_skill_names


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_sub_skill_words_follow_the_one_tuple(lang: str) -> None:
    _ = translator(lang)
    assert tuple(sub_skill_labels(_)) == SUB_SKILLS
    assert tuple(sub_skill_names(_)) == SUB_SKILLS


def test_every_model_with_dutch_levels_has_the_one_tuple_of_sub_skills() -> None:
    """The API body, the profile, the requirement and the instrument items name the same four sub-skills."""
    import typing

    from assessment.instrument import Item, get_instrument
    from assessment.profile import DutchLevels
    from matching.language import LanguageRequirement
    from service.routers.matching import RequirementIn

    for model in (RequirementIn, DutchLevels, LanguageRequirement):
        assert tuple(k for k in model.model_fields if k in SUB_SKILLS) == SUB_SKILLS, model.__name__
    literal = typing.get_args(Item.model_fields["subskill"].annotation)[0]
    assert typing.get_args(literal) == SUB_SKILLS
    assert tuple(i.subskill for i in get_instrument("dutch-cefr").items) == SUB_SKILLS


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_shift_words_follow_the_one_tuple_of_shifts(lang: str) -> None:
    from assessment.participant_models import ParticipantDetails
    from assessment.profile import SHIFTS
    from matching.vacancies import SHIFTS as VACANCY_SHIFTS
    from service.labels import shift_labels

    assert tuple(shift_labels(translator(lang))) == SHIFTS == VACANCY_SHIFTS
    assert ParticipantDetails.model_json_schema()["properties"]["shifts"]["items"]["enum"] == list(SHIFTS)


def test_contract_words_follow_the_vacancy_contracts() -> None:
    from matching.vacancies import CONTRACTS
    from service.labels import contract_labels

    assert tuple(contract_labels(translator("nl"))) == CONTRACTS == ("permanent", "temporary", "interim", "student",
                                                                    "flexi")


def test_every_coded_value_has_its_word_and_no_word_is_left_over() -> None:
    """Each label map names exactly the values of its domain type (a new value without a word shows as a code)."""
    from assessment.profile import EvidenceKind
    from foundation.actor import Role
    from matching.employers import ConcernCode, EventKind
    from matching.shortlist import STATUSES as CANDIDATE_STATUSES
    from matching.vacancies import STATUSES as VACANCY_STATUSES
    from service.labels import concern_labels, event_labels, evidence_labels, role_labels, status_labels

    _ = translator("nl")
    assert set(role_labels(_)) == {r.value for r in Role}
    assert set(event_labels(_)) == {k.value for k in EventKind}
    assert set(concern_labels(_)) == {c.value for c in ConcernCode}
    assert set(evidence_labels(_)) == {k.value for k in EvidenceKind}
    assert set(status_labels(_)) == {*VACANCY_STATUSES, "suggested", *CANDIDATE_STATUSES}


@pytest.mark.parametrize(("lang", "locale"), [("nl", "nl_BE.UTF-8"), ("en", "en_US.UTF-8")])
def test_the_cli_and_the_profile_chart_name_competence_groups_alike(lang: str, locale: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from assessment.profile import DutchLevels
    from service.cli import words
    from service.labels import competence_group_labels
    from service.ui.competences import INSTRUMENT_GROUPS, chart_groups

    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", locale)
    titles = competence_group_labels(translator(lang))
    assert {kind: words.instrument_kind(kind) for kind in INSTRUMENT_GROUPS} == {
        "technical": titles["technical"], "observation": titles["social"], "language": titles["language"]}
    chart = chart_groups([], DutchLevels(listening="A2"), translator(lang), lang=lang)
    assert [g.title for g in chart] == [titles[k] for k in ("technical", "social", "language", "other")]


def test_the_coach_pages_have_a_word_for_every_stage_step_and_contract() -> None:
    from starlette.requests import Request

    from assessment.stages import PrescreeningOutcome, PrescreeningReason, Stage
    from assessment.trajectories import StepKind, StepStatus
    from matching.placements import ContractType
    from service.routers.ui_coach import step_labels
    from service.routers.ui_programme_coach import stage_labels

    def values(enum) -> set[str]:
        return {v.value for v in enum}

    assert set(step_labels(translator("nl"))) == values(StepKind) | values(StepStatus)
    words = stage_labels(Request({"type": "http", "query_string": b"", "headers": []}))
    assert set(words["stage"]) == values(Stage) | {""}
    assert set(words["outcome"]) == values(PrescreeningOutcome)
    assert set(words["reason"]) == values(PrescreeningReason)
    assert set(words["contract"]) == values(ContractType)


def test_the_vacancy_import_columns_are_the_vacancy_fields() -> None:
    from matching.vacancies import IMPORT_COLUMNS, VacancyInput
    from matching.vacancies.importing import DUTCH_COLUMNS
    from service.routers.ui_liaison import import_values

    assert set(IMPORT_COLUMNS) == set(VacancyInput.model_fields) - {"employer_id"} == set(DUTCH_COLUMNS)
    explained = {c.strip() for cols, _text in import_values(translator("en")) for c in cols.split(",")}
    assert explained == set(IMPORT_COLUMNS)  # the page explains every column, by its English name


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_certificate_words_name_only_the_vacancy_certificates(lang: str) -> None:
    """The certificates with a Dutch word (heftruck …) get a word; the ones that are names (VCA, BA4 …) stay names."""
    from matching.vacancies import ATTESTS
    from service.cli import words
    from service.labels import attest_labels

    labels = attest_labels(translator(lang))
    assert set(labels) <= set(ATTESTS) and set(labels) == {"heftruck", "reachtruck", "hoogwerker"}
    assert attest_labels(translator("nl"))["heftruck"] == "heftruckattest"
    assert words.attest("VCA") == "VCA"
