"""The skills part as evidence: how much better a target explains the skills a participant shows than chance.

A profile is read as drawn from its target ``o`` (a participant's skills come from the work they
did): a share ``q_e ~ Beta(a_e, b_e)`` of the essential skills ``o`` lists and ``q_o ~ Beta(a_o, b_o)``
of its optional ones (a few assessments or many); beside them a few skills of the trades next door
(the trade group ``G_o``: a negative-binomial number with mean ``λ`` and shape ``r``, each skill
equally likely), and skills by chance: about ``ρ``, a skill ``t`` in proportion to the number of
occupations that list it (``ε_t = ρ · df_t / Σ_s df_s``). A shown skill with presence ``x_t``
(:mod:`matching.scoring`) is there with chance ``x_t``, so its likelihood ratio ``LR_t`` counts as
``x_t · LR_t + 1 − x_t ≈ x_t · LR_t``. The log-likelihood ratio of ``o`` against chance alone::

    k_e, k_o   = shown essential / optional skills of o (counts), + Σ credit of the gaps they fill
    n_e, n_o   = essential / optional skills o lists;   k_G = shown skills of G_o
    ln(1/ε_t)  ≈ idf_t + δ,   δ = ln(Σ_s df_s / (ρ · N))      (idf_t = ln(1 + N/df_t), N occupations)
    evidence   = ln B(k_e + a_e, n_e − k_e + b_e) − ln B(a_e, b_e)      (the essential list)
               + ln B(k_o + a_o, n_o − k_o + b_o) − ln B(a_o, b_o)      (the optional list)
               + Σ_{t ∈ p ∩ o} (idf_t + δ + ln x_t) + Σ_gaps credit_s · (idf_s + δ)
               + ln Γ(k_G + r) − ln Γ(r) + r ln(r / (r + λ)) + k_G · (ln(λ / (r + λ)) − ln |G_o|)
               + Σ_{t ∈ p ∩ G_o} (idf_t + δ + ln x_t)
    skills     = 1 − exp(−softplus_β(evidence / n_p) / s),   n_p = number of shown skills   (0 if none)
                 softplus_β(v) = ln(1 + e^{βv}) / β, β = 4: a soft floor, so that evidence below chance
                 still orders the targets

Per shown skill, so participants with more or fewer skills compare on one scale (shortlists); for
one participant the order of the targets is the order of the likelihood. Set overlap (Jaccard) and
the F-measure treat a skill of the next trade like any other unlisted skill; here it is expected,
so a sibling that lists two such skills no longer beats the trade whose own skills the profile
shows, and the Beta priors weigh the length of the lists without a fixed share. A weak skill
(self-declared, low level) counts less by ``ln x_t`` (at most ln 2), not by half.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from matching.config import MatchingConfig
from matching.credit import Credit, Targets, member
from matching.model import MatchingModel

#: The sums :func:`evidence` reads, participants × targets (:func:`matching.scoring._evidence_sums` and
#: :mod:`matching.touched` make them).
EVIDENCE_SUMS = ("listed", "essential", "listed_idf", "trade_idf", "trade", "listed_log", "trade_log")

BETA = 0.5       # β of the F-measure (``skill_fit="f_beta"``): precision weighs more than recall


def recall_and_use(listed: np.ndarray, shown: np.ndarray, trade: np.ndarray | None, gain: np.ndarray,
                   used: np.ndarray, *, size: np.ndarray, own: np.ndarray,
                   gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """``recall = (Σ a_os x_s + gain) / Σ a_os``, ``use = min(1, (Σ idf_t x_t + used + γ · trade) / Σ_p idf_t x_t)``
    (:mod:`matching.scoring`), participants × targets, from the sums: ``listed`` (``Σ a_os x_s``), ``shown`` and
    ``trade`` (idf sums over the listed and the trade-group skills; None when ``γ = 0``), the related credit's
    ``gain`` and ``used`` (``used`` takes ``γ · trade`` in place), the targets' ``size``, the participants' ``own``."""
    recall = (listed + gain) / np.where(size > 0, size, 1.0)[None, :]
    if gamma > 0:
        used += gamma * trade
    return recall, np.minimum(1.0, (shown + used) / np.where(own > 0, own, 1.0)[:, None])


def f_measure(precision: np.ndarray, recall: np.ndarray) -> np.ndarray:
    """``(1 + β²) · precision · recall / (β² · precision + recall)``, 0 where both are 0 (the skills part of
    ``skill_fit="f_beta"``)."""
    b2 = BETA * BETA
    denom = b2 * precision + recall
    return np.divide((1 + b2) * precision * recall, denom, out=np.zeros_like(denom), where=denom > 0)


def chance_offset(model: MatchingModel) -> float:
    """``δ = ln(Σ_s df_s / (ρ · N))``: what ``idf_t`` lacks of ``ln(1/ε_t)`` (``Σ_s df_s``: the listed pairs)."""
    return float(np.log(model.A.nnz / (model.config.chance_skills * max(model.A.shape[0], 1))))


def evidence(sums: dict[str, np.ndarray], *, credit: Credit, target: Targets, trade_size: np.ndarray,
             model: MatchingModel, cols: np.ndarray | None = None) -> np.ndarray:
    """``evidence_po`` (participants × targets, float64) from the sums of :func:`matching.scoring._evidence_sums`
    (shown counts, their idf and ``ln x`` sums over the listed and the trade-group skills), the related-skill
    ``credit`` and ``|G_o|`` (``trade_size``). ``cols``: the targets the columns stand for, sorted (None: all;
    ``trade_size`` is theirs, and every credited target is among them)."""
    config, (n, m) = model.config, sums["listed"].shape
    delta = chance_offset(model)
    cell = credit.participant * m + (credit.target if cols is None else np.searchsorted(cols, credit.target))
    # credit into optional (0) and essential (1) gaps, and what it is worth
    filled = np.bincount(_is_essential(target, credit) * (n * m) + cell, weights=credit.credit,
                         minlength=2 * n * m).reshape(2, n, m)
    worth = np.bincount(cell, weights=credit.credit * (model.idf[credit.skill] + delta), minlength=n * m).reshape(n, m)
    k_e = sums["essential"] + filled[1]
    k_o = sums["listed"] - sums["essential"] + filled[0]
    return (_beta_binomial(k_e, target.n_essential, config.essential_prior, target, "essential", cols)
            + _beta_binomial(k_o, target.n_listed - target.n_essential, config.optional_prior, target, "optional",
                             cols)
            + sums["listed_idf"] + delta * sums["listed"] + sums["listed_log"] + worth
            + _trade_count(sums["trade"], trade_size, config) + sums["trade_idf"] + delta * sums["trade"]
            + sums["trade_log"])


def _trade_count(k: np.ndarray, size: np.ndarray, config: MatchingConfig) -> np.ndarray:
    """``ln P(these k of the |G_o| trade-group skills)`` with a negative-binomial count (mean ``λ``, shape ``r``):
    ``ln Γ(k + r) − ln Γ(r) + r ln(r / (r + λ)) + k (ln(λ / (r + λ)) − ln |G_o|)``."""
    lam, r = config.trade_skills, config.trade_spread
    k = k.astype(np.float64)
    out = r * np.log(r / (r + lam)) + k * (np.log(lam / (r + lam)) - np.log(np.maximum(size, 1)))[None, :]
    hit = k > 0                                   # ln Γ(0 + r) − ln Γ(r) = 0: only the few shown
    out[hit] += gammaln(k[hit] + r) - gammaln(r)
    return out


def _is_essential(target: Targets, credit: Credit) -> np.ndarray:
    """Whether each credited gap is one of its target's essential skills."""
    return member(target.essential, credit.target * target.A.shape[1] + credit.skill)


def _beta_binomial(k: np.ndarray, n: np.ndarray, prior: tuple[float, float], target: Targets,
                   which: str, cols: np.ndarray | None = None) -> np.ndarray:
    """``ln B(k + a, n − k + b) − ln B(a, b)``: the chance of one particular ``k`` of ``n`` under ``q ~ Beta(a, b)``,
    as ``ln Γ`` sums; the value at ``k = 0`` is kept with the targets (``which`` list, per prior), so only the
    targets a participant touches cost. ``n``: every target's; ``k``: of the targets ``cols`` (None: all)."""
    a, b = prior
    lnb = gammaln(a) + gammaln(b) - gammaln(a + b)
    base = target.memo.get((which, a, b))
    if base is None:
        base = target.memo[(which, a, b)] = gammaln(a) + gammaln(n + b) - gammaln(n + a + b) - lnb
    if cols is not None:
        base, n = base[cols], n[cols]
    out = np.repeat(base[None, :], k.shape[0], axis=0)
    row, col = np.nonzero(k > 0)
    if row.size:
        nn = n[col]
        kk = np.minimum(k[row, col].astype(np.float64), nn)
        out[row, col] = gammaln(kk + a) + gammaln(nn - kk + b) - gammaln(nn + a + b) - lnb
    return out


SOFTNESS = 4.0   # β of the soft floor: below-chance evidence still orders the targets, near 0


def skills_part(value: np.ndarray, total: np.ndarray, *, config: MatchingConfig) -> np.ndarray:
    """``skills = 1 − exp(−softplus_β(evidence / n_p) / s)``, ``softplus_β(v) = ln(1 + e^{βv}) / β``; 0 where
    nothing is shown (``total`` = ``n_p``). In (0, 1), increasing in the evidence: about 0.06 at chance
    level, 1 − 1/e at ``s`` per skill."""
    per_skill = value / np.where(total > 0, total, 1.0)[:, None]
    soft = np.logaddexp(0.0, SOFTNESS * per_skill) / SOFTNESS
    return np.where(total[:, None] > 0, -np.expm1(-soft / config.fit_scale), 0.0)
