"""Assessment instruments: declarative, versioned files validated by pydantic.

An instrument is a YAML file in ``assessment/instruments/`` (``<id>.v<version>.yaml``).
Three kinds exist:

* ``technical`` — a practical test per domain: items scored by the assessor on the
  instrument's scale, each item linked to one or more ESCO skills with a weight;
* ``observation`` — a behaviour-anchored observation grid (each scale point has an anchor
  text), linked to ESCO transversal skills;
* ``language`` — the Dutch grid: one item per sub-skill (listening, reading, speaking,
  writing) answered with a CEFR level (A0 … C2, sub-levels such as A1.2 allowed).

:func:`instrument_json_schema` publishes the JSON schema of the file format.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assessment.common import problems_from
from foundation.errors import InputError, NotFoundError, Problem

INSTRUMENT_DIR = Path(str(resources.files("assessment") / "instruments"))
_FILE = re.compile(r"^(?P<id>[a-z0-9-]+)\.v(?P<version>\d+(?:\.\d+)*)\.ya?ml$")


class Text(BaseModel):
    """A text in Dutch (shown first) and English."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)


class SkillLink(BaseModel):
    """An item's link to one ESCO skill; ``weight`` says how much the item tells about it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    uri: str = Field(pattern=r"^https?://\S+$")
    weight: float = Field(1.0, gt=0, le=1)


class Scale(BaseModel):
    """A whole-number scale ``min`` … ``max`` with a label per point."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int = 0
    max: int = 4
    labels: dict[int, Text]

    @model_validator(mode="after")
    def _labels_cover_scale(self) -> Scale:
        if self.max <= self.min:
            raise ValueError("scale: max must be greater than min")
        missing = [p for p in range(self.min, self.max + 1) if p not in self.labels]
        if missing or set(self.labels) - set(range(self.min, self.max + 1)):
            raise ValueError(f"scale: give exactly one label per point {self.min}…{self.max}")
        return self


class Item(BaseModel):
    """One thing the assessor scores."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    text: Text
    skills: list[SkillLink] = Field(default_factory=list)
    anchors: dict[int, Text] = Field(default_factory=dict, description="Behaviour anchors per scale point.")
    subskill: Literal["listening", "reading", "speaking", "writing"] | None = None


class Instrument(BaseModel):
    """A versioned assessment instrument."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    version: str = Field(pattern=r"^\d+(\.\d+)*$")
    kind: Literal["technical", "observation", "language"]
    domain: str
    title: Text
    instructions: Text
    scale: Scale | None = None
    occupations: list[str] = Field(default_factory=list, description="ESCO occupations the domain prepares for.")
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        ids = [i.id for i in self.items]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate item id(s): {', '.join(dupes)}")
        if self.kind == "language":
            subs = [i.subskill for i in self.items]
            if None in subs or len(set(subs)) != len(subs):
                raise ValueError("a language grid needs one item per sub-skill (listening, reading, …)")
        else:
            if self.scale is None:
                raise ValueError(f"a {self.kind} instrument needs a scale")
            for item in self.items:
                if not item.skills:
                    raise ValueError(f"item {item.id}: link at least one ESCO skill")
                if set(item.anchors) - set(range(self.scale.min, self.scale.max + 1)):
                    raise ValueError(f"item {item.id}: anchors outside the scale")
            if self.kind == "observation" and any(not i.anchors for i in self.items):
                raise ValueError("an observation grid needs behaviour anchors on every item")
        return self

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def skill_uris(self) -> set[str]:
        """Every ESCO URI the instrument references."""
        return {s.uri for i in self.items for s in i.skills} | set(self.occupations)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def parse_instrument(text: str, *, file: str = "<text>") -> Instrument:
    """Validate one instrument file's text (YAML or JSON)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError("Not valid YAML/JSON",
                         [Problem(str(exc), file=file, code="instrument.yaml_error", params={"reason": str(exc)})],
                         code="instrument.not_yaml") from exc
    try:
        return Instrument.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"Invalid instrument {file}", problems_from(exc, file=file), code="instrument.invalid",
                         params={"file": file}) from exc


@functools.cache
def _load_all(directory: str) -> dict[tuple[str, str], Instrument]:
    out: dict[tuple[str, str], Instrument] = {}
    for path in sorted(Path(directory).iterdir()):
        m = _FILE.match(path.name)
        if not m:
            continue
        inst = parse_instrument(path.read_text(encoding="utf-8"), file=path.name)
        if (inst.id, inst.version) != (m["id"], m["version"]):
            raise InputError("Instrument file name and content disagree",
                             [Problem(f"file says {m['id']} v{m['version']}, content {inst.id} v{inst.version}",
                                      file=path.name, code="instrument.name_says",
                                      params={"file_id": m["id"], "file_version": m["version"], "id": inst.id,
                                              "version": inst.version})],
                             code="instrument.name_mismatch")
        out[(inst.id, inst.version)] = inst
    return out


def all_versions(directory: Path | None = None) -> dict[tuple[str, str], Instrument]:
    """Every shipped instrument version, keyed by ``(id, version)``."""
    return dict(_load_all(str(directory or INSTRUMENT_DIR)))


def load_instruments(directory: Path | None = None) -> dict[str, Instrument]:
    """The latest version of every instrument, keyed by id."""
    latest: dict[str, Instrument] = {}
    for (iid, version), inst in all_versions(directory).items():
        if iid not in latest or _version_key(version) > _version_key(latest[iid].version):
            latest[iid] = inst
    return dict(sorted(latest.items()))


def get_instrument(instrument_id: str, version: str | None = None, *, directory: Path | None = None) -> Instrument:
    """One instrument (the latest version unless ``version`` is given), or :class:`NotFoundError`."""
    if version is None:
        inst = load_instruments(directory).get(instrument_id)
    else:
        inst = all_versions(directory).get((instrument_id, version))
    if inst is None:
        known = ", ".join(load_instruments(directory))
        what = instrument_id + (f" v{version}" if version else "")
        raise NotFoundError(f"Unknown instrument {what!r} (known: {known})",
                            [Problem("no such instrument", column="instrument_id", code="instrument.no_such")],
                            code="instrument.not_found", params={"instrument": what, "known": known})
    return inst


def instrument_json_schema() -> dict:
    """The published JSON schema of an instrument file."""
    return Instrument.model_json_schema()
