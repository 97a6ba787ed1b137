"""Settings of the matching model and score (one pydantic model, documented defaults)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from foundation.settings import Settings


class Weights(BaseModel):
    """Weights of the score parts; they sum to 1 so the total lies in [0, 1]."""

    skills: float = 0.75
    experience: float = 0.10
    preference: float = 0.05
    language: float = 0.10

    @model_validator(mode="after")
    def _sum_to_one(self) -> Weights:
        total = sum(self.model_dump().values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"score weights must sum to 1, not {total:.3f}")
        return self


class MatchingConfig(BaseModel):
    """How related skills give partial credit, and how parts are weighted."""

    encoder: str | None = Field(
        None,
        description="Encoder for skill-to-skill similarity (taxonomy.encoders); None: hierarchy only. "
        "The app takes it from ``settings.matching_encoder`` (default minilm), see :meth:`from_settings`.",
    )
    neighbours: int = Field(10, ge=0, le=50, description="Embedding neighbours kept per skill.")
    min_similarity: float = Field(0.70, ge=0, le=1, description="Cosine below this gives no credit.")
    similarity_credit: float = Field(0.6, ge=0, le=1, description="Credit = this × cosine similarity.")
    hierarchy_credit: float = Field(0.3, ge=0, le=1, description="Credit from a skill's broader/narrower skill.")
    sibling_credit: float = Field(0.2, ge=0, le=1, description="Credit from a sibling in a small skill group.")
    max_sibling_group: int = Field(25, ge=2, description="Siblings count only in groups up to this size.")
    relation_credit: float = Field(0.3, ge=0, le=1, description="Credit along ESCO skill-skill relations.")
    optional_weight: float = Field(1.0, ge=0, le=1, description=(
        "Weight of an optional skill beside an essential one (1: ESCO's essential/optional split is loose; "
        "0.5 cost 0.05 Recall@1 on sparse profiles in benchmarks/job_targets.py)."))
    trade_group_credit: float = Field(0.25, ge=0, le=0.4, description=(
        "Share of its weight a shown skill adds to ``use`` when the target does not list it but an "
        "occupation of the target's ISCO unit group lists it as essential (0: off; with related credit "
        "it stays below the full weight)."))
    skill_fit: Literal["likelihood", "f_beta"] = Field("likelihood", description=(
        "How the skills part is scored: the evidence of the profile for the target (likelihood ratio, "
        "matching.fit) or the F-measure of recall and use (f_beta, the score of werkbrug-match/3)."))
    essential_prior: tuple[float, float] = Field((1.0, 2.0), description=(
        "Beta(a, b) prior of the share of a target's essential skills a profile shows (likelihood)."))
    optional_prior: tuple[float, float] = Field((0.5, 3.0), description=(
        "Beta(a, b) prior of the share of a target's optional skills a profile shows (likelihood)."))
    trade_skills: float = Field(1.0, gt=0, description=(
        "Expected number of shown skills from the target's trade group (likelihood)."))
    trade_spread: float = Field(1.0, gt=0, description=(
        "Shape r of the negative-binomial count of trade-group skills (large: Poisson; 1: geometric, "
        "so a profile from the next trade is not ruled out) (likelihood)."))
    chance_skills: float = Field(3.0, gt=0, description=(
        "Expected number of shown skills there by chance, drawn like ESCO's lists (likelihood)."))
    fit_scale: float = Field(3.0, gt=0, description=(
        "Evidence per shown skill at which the skills part reaches 1 − 1/e (likelihood)."))
    experience_years_full: float = Field(2.0, gt=0, description="Years of experience that count in full.")
    weights: Weights = Field(default_factory=Weights)

    @classmethod
    def from_settings(cls, settings: Settings) -> MatchingConfig:
        """The configuration the app runs with (``settings.matching_encoder``)."""
        return cls(encoder=settings.matching_encoder)

    @property
    def neighbour_model(self) -> str:
        """Name of the neighbour lists this config uses (stored with them)."""
        base = (f"h{self.hierarchy_credit:g}-s{self.sibling_credit:g}/{self.max_sibling_group}"
                f"-r{self.relation_credit:g}")
        if self.encoder:
            base = f"{self.encoder}@{self.neighbours}>{self.min_similarity:g}x{self.similarity_credit:g}+{base}"
        return base
