"""Structured requirements read from a vacancy text, proposed as vacancy fields (never as skills).

From the sentences of the text (:func:`matching.vacancies.text.segment`) werkbrug proposes:

* the Dutch level as a declared CEFR requirement, per sub-skill where the text says so
  ("basiskennis Nederlands" → A2 for all four, "vlot Nederlands spreken" → speaking B2,
  "Nederlands niveau B1" → B1); :data:`DUTCH_PHRASES` is the whole mapping;
* driving licences (B, BE, C, C1, CE, D, …) and attests (heftruck, reachtruck, VCA, code 95, …);
* shifts (``ploegen`` → early + late, ``3 ploegen`` → + night, ``nacht`` → night), weekend work;
* hours per week (``37,5 u/week``, ``voltijds`` → 38) and the contract type.

Every value carries the sentence it was read from. A liaison confirms or edits them.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from matching.language import SUB_SKILLS
from matching.vacancies.text import Segment, normalise

Contract = Literal["permanent", "temporary", "interim", "student", "flexi"]
LICENCES = ("A", "AM", "B", "BE", "C", "C1", "C1E", "CE", "D", "D1", "DE", "G")
ATTESTS = ("heftruck", "reachtruck", "VCA", "VOL-VCA", "code 95", "hoogwerker", "BA4", "BA5", "ADR", "HACCP")
FULL_TIME_HOURS = 38.0

#: Phrase (normalised, before "Nederlands"/"Dutch") → CEFR level. Longest phrase wins.
DUTCH_PHRASES: dict[str, str] = {
    "basiskennis": "A2", "basis": "A2", "elementaire kennis": "A2", "beperkte kennis": "A2", "beperkt": "A2",
    "een beetje": "A2", "eenvoudig": "A2", "eenvoudige": "A2", "basic": "A2",
    "kennis van het": "B1", "kennis": "B1", "goede kennis van het": "B1", "goede kennis": "B1", "goed": "B1",
    "behoorlijk": "B1", "good": "B1", "some": "A2",
    "vlot": "B2", "vlotte kennis van het": "B2", "vlotte kennis": "B2", "vloeiend": "B2", "vlotte": "B2",
    "fluent": "B2", "sterke kennis": "B2", "zeer goede kennis": "C1", "zeer goed": "C1",
    "uitstekende kennis": "C1", "uitstekend": "C1", "perfecte kennis": "C1", "perfect": "C1",
    "excellent": "C1", "moedertaal": "C1", "native": "C1",
}
#: Words after (or around) "Nederlands" that name sub-skills.
SUB_SKILL_WORDS: dict[str, tuple[str, ...]] = {
    "spreken": ("speaking", "listening"), "mondeling": ("speaking", "listening"),
    "begrijpen": ("listening",), "begrijpt": ("listening",), "mondelinge": ("speaking", "listening"),
    "schriftelijke": ("writing", "reading"), "verstaan": ("listening",), "luisteren": ("listening",),
    "lezen": ("reading",), "schrijven": ("writing",), "schriftelijk": ("writing", "reading"),
    "spoken": ("speaking", "listening"), "written": ("writing", "reading"),
}
_PHRASES_LONGEST_FIRST = sorted(DUTCH_PHRASES.items(), key=lambda kv: (-len(kv[0]), kv[0]))
_WISH = re.compile(r"\b(?:is )?(?:een )?(?:plus|pluspunt|troef|meerwaarde)\b|mooi meegenomen|\bis an? (?:plus|asset)")
_CEFR = re.compile(r"\b([abc][12])\b")
_DUTCH = re.compile(r"\b(nederlands|nederlandse taal|dutch)\b")
_LICENCE = re.compile(r"\b(?:rijbewijs|rijbewijzen|driving licen[cs]e|licen[cs]e)\s+"
                      r"((?:[a-z]{1,2}\d?e?\s*(?:[/,+]|en|of|and|or)?\s*)+)")
_LICENCE_DRIVER = re.compile(r"\b(c1e|ce|c1|de|d1|c|d)[- ]?(?:chauffeur|chauffeurs|driver)\b")
_ATTEST_PATTERNS: dict[str, re.Pattern] = {
    "heftruck": re.compile(r"\bheftruck\w*\s*(?:attest|brevet|certificaat)|\b(?:attest|brevet|certificaat)\s+heftruck"
                           r"|\bforklift (?:licen[cs]e|certificate)"),
    "reachtruck": re.compile(r"\breachtruck\w*\s*(?:attest|brevet|certificaat)|\b(?:attest|brevet)\s+reachtruck"),
    "VOL-VCA": re.compile(r"\bvol[- ]?vca\b"),
    "VCA": re.compile(r"\b(?:basis[- ]?|b[- ])?vca\b"),
    "code 95": re.compile(r"\bcode 95\b|\bvakbekwaamheid\b"),
    "hoogwerker": re.compile(r"\bhoogwerker\w*\s*(?:attest|brevet|certificaat)|\bipaf\b"),
    "BA4": re.compile(r"\bba4\b"), "BA5": re.compile(r"\bba5\b"), "ADR": re.compile(r"\badr\b"),
    "HACCP": re.compile(r"\bhaccp\b"),
}
_HOURS = re.compile(r"\b(\d{1,2}(?:[.,]\d{1,2})?)\s*(?:u|uur|uren|h|hours|hrs)\b(?:\s*(?:per|/|op|a|in de|per)\s*"
                    r"(?:week|w)\b|/week|\s*per week)?")
_CONTRACTS: tuple[tuple[Contract, re.Pattern], ...] = (
    ("interim", re.compile(r"\binterim\w*|\buitzend\w*|\bvia een kantoor\b|\btemp(?:ing)? agency\b")),
    ("permanent", re.compile(r"\bvast(?:e)? (?:contract|job|betrekking|aanstelling|dienstverband)|\bonbepaalde duur"
                             r"|\bpermanent (?:contract|job|position)|\bperspectief op (?:een )?vast")),
    ("temporary", re.compile(r"\btijdelijk\w* (?:contract|job|opdracht)|\bbepaalde duur|\btemporary\b"
                             r"|\bvervangingscontract")),
    ("student", re.compile(r"\bstudentenjob|\bjobstudent")),
    ("flexi", re.compile(r"\bflexi[- ]?job")),
)


class Evidence(BaseModel):
    """Where a proposed value comes from."""

    sentence: int
    text: str


class DutchProposal(BaseModel):
    levels: dict[str, str | None] = Field(default_factory=lambda: dict.fromkeys(SUB_SKILLS))
    evidence: list[Evidence] = Field(default_factory=list)


class Requirements(BaseModel):
    """Structured requirements as read from the text (to be confirmed; absent → ``None`` / empty)."""

    dutch: DutchProposal = Field(default_factory=DutchProposal)
    licences: list[str] = Field(default_factory=list)
    attests: list[str] = Field(default_factory=list)
    shifts: list[str] = Field(default_factory=list)
    weekends: bool | None = None
    hours_per_week: float | None = None
    contract: Contract | None = None
    evidence: dict[str, Evidence] = Field(default_factory=dict)


def dutch_levels(sentence: str) -> dict[str, str] | None:
    """The Dutch levels one sentence asks for, per sub-skill (``None``: it asks for none).

    The sentence is cut at commas, ``;`` and ``en``/``maar``. In each part that names Dutch (or,
    in a sentence that names Dutch, a sub-skill): an explicit CEFR level wins, else the longest
    phrase of :data:`DUTCH_PHRASES` in it. Sub-skill words restrict the level to those
    sub-skills; without them it holds for all four. A wish ("is een plus") is no requirement.
    """
    low = sentence.lower()
    if not _DUTCH.search(normalise(low)) or _WISH.search(normalise(low)):
        return None
    general: str | None = None
    levels: dict[str, str] = {}
    for part in re.split(r"\s*[,;/]\s*|\s+(?:en|maar|and|but)\s+", low):
        clause = normalise(part)
        words = clause.split()
        subs = [s for w, ss in SUB_SKILL_WORDS.items() if w in words for s in ss]
        if not _DUTCH.search(clause) and not subs:
            continue
        explicit = _CEFR.search(clause)
        level = explicit.group(1).upper() if explicit else next(
            (lv for p, lv in _PHRASES_LONGEST_FIRST if re.search(rf"\b{re.escape(p)}\b", clause)), None)
        if level is None:
            continue
        if subs:
            for s in subs:
                levels.setdefault(s, level)
        elif general is None:
            general = level
    if general:
        for s in SUB_SKILLS:
            levels.setdefault(s, general)
    return levels or None


def licences(sentence: str) -> list[str]:
    """Driving licence categories named in a sentence ("rijbewijs B", "rijbewijs C/CE", "CE-chauffeur")."""
    n = normalise(sentence).replace("+", " ")
    found = []
    for m in _LICENCE.finditer(n):
        for tok in re.split(r"[/,\s]+", m.group(1)):
            if tok.upper() in LICENCES:
                found.append(tok.upper())
    found += [m.group(1).upper() for m in _LICENCE_DRIVER.finditer(n)]
    if not found and re.search(r"\b(?:rijbewijs|driving licen[cs]e)\b", n):
        found.append("B")
    return list(dict.fromkeys(found))


def attests(sentence: str) -> list[str]:
    n = normalise(sentence)
    got = [name for name, pat in _ATTEST_PATTERNS.items() if pat.search(n)]
    if "VOL-VCA" in got:
        got.remove("VCA")
    return got


def shifts(sentence: str) -> tuple[list[str], bool | None]:
    """Shifts (day / early / late / night) and weekend work a sentence names."""
    n = normalise(sentence)
    out: list[str] = []
    if re.search(r"\b(?:3|drie)[- ]?ploegen|\bdrieploegen", n):
        out += ["early", "late", "night"]
    elif re.search(r"\b(?:2|twee)?[- ]?ploegen\w*|\btweeploegen|\bshift(?:s|work| work)\b", n):
        out += ["early", "late"]
    if re.search(r"\bnacht\w*|\bs nachts\b|\bnight\w*", n):
        out.append("night")
    if re.search(r"\bvroege (?:shift|ploeg|dienst)|\bvroege\b", n):
        out.append("early")
    if re.search(r"\blate (?:shift|ploeg|dienst)", n):
        out.append("late")
    if re.search(r"\bdagwerk|\bdagdienst|\bdagploeg|\bdag ?uren|\bdaytime\b", n):
        out.append("day")
    weekend = True if re.search(r"\bweekend\w*|\bzaterdag\w*|\bzondag\w*|\bsaturday|\bsunday", n) else None
    if re.search(r"\bgeen weekend\w*|\bnooit in het weekend|\bno weekend", n):
        weekend = False
    return list(dict.fromkeys(out)), weekend


def hours_per_week(sentence: str) -> float | None:
    """Hours per week ("37,5 uur per week", "38u/week"; "voltijds" → 38, "halftijds" → 19, "4/5" → 30.4)."""
    n = sentence.lower()
    for m in _HOURS.finditer(n):
        value = float(m.group(1).replace(",", "."))
        if 4 <= value <= 60 and ("week" in m.group(0) or re.search(r"\bweek|\bvoltijd|\bdeeltijd", n)):
            return value
    if re.search(r"\b4/5\b|\bvierdagen", n):
        return round(FULL_TIME_HOURS * 0.8, 1)
    if re.search(r"\bhalftijd\w*|\bhalf[- ]time", n):
        return FULL_TIME_HOURS / 2
    if re.search(r"\bvoltijd\w*|\bfull[- ]time", n):
        return FULL_TIME_HOURS
    return None


def contract(sentence: str) -> Contract | None:
    n = normalise(sentence)
    return next((name for name, pat in _CONTRACTS if pat.search(n)), None)


def is_requirement(clause: str) -> bool:
    """Whether a clause states a vacancy field rather than a skill (Dutch, licence, hours, contract)."""
    return bool(_DUTCH.search(normalise(clause)) or licences(clause) or hours_per_week(clause) is not None
                or contract(clause))


def read_requirements(segments: list[Segment]) -> Requirements:
    """Structured requirements of a vacancy text: the first sentence that states each wins.

    Boilerplate sentences count only for the contract and hours ("wij bieden een vast contract").
    """
    req = Requirements()
    ev = req.evidence
    for seg in segments:
        where = Evidence(sentence=seg.index, text=seg.text)
        if not seg.boilerplate:
            levels = dutch_levels(seg.text)
            if levels:
                specific = len(levels) < len(SUB_SKILLS)
                for k, lv in levels.items():
                    if req.dutch.levels[k] is None or specific:
                        req.dutch.levels[k] = lv
                req.dutch.evidence.append(where)
            for name, got in (("licences", licences(seg.text)), ("attests", attests(seg.text))):
                new = [x for x in got if x not in getattr(req, name)]
                if new:
                    getattr(req, name).extend(new)
                    ev.setdefault(name, where)
            sh, weekend = shifts(seg.text)
            if sh:
                req.shifts.extend(s for s in sh if s not in req.shifts)
                ev.setdefault("shifts", where)
            if weekend is not None and req.weekends is None:
                req.weekends = weekend
                ev["weekends"] = where
        if req.hours_per_week is None and (h := hours_per_week(seg.text)) is not None:
            req.hours_per_week, ev["hours_per_week"] = h, where
        if req.contract is None and (c := contract(seg.text)) is not None:
            req.contract, ev["contract"] = c, where
    return req
