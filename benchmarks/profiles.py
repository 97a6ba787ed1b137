"""Synthetic participant profiles built from real ESCO occupations, in families of difficulty.

Each profile is generated from one *true* occupation ``o`` (at least 3 essential skills) and
must be found again among all occupations. What a family draws (fractions per profile):

=================  ==============  =========  =========  ===========  ============
family             essentials      optionals  confusers  transversal  Dutch levels
=================  ==============  =========  =========  ===========  ============
dense              each with 0.5   each 0.25  1–3        1–3          yes
dense, no Dutch    each with 0.5   each 0.25  1–3        1–3          no
sparse             15–35 %         each 0.25  4–8        0–2          yes
sparse, no Dutch   15–35 %         each 0.25  4–8        0–2          no
very sparse        15–35 %         0–2        4–8        0–2          yes
confusers          each with 0.5   each 0.25  6–10       0–2          yes
transversal noise  each with 0.5   each 0.25  0–2        6–10         yes
related skills     each with 0.5,  each 0.25  1–3        1–3          yes
                   ⅓ replaced by a
                   hierarchy neighbour
=================  ==============  =========  =========  ===========  ============

and three families whose confusers come from *any* occupation (one essential skill each of
randomly drawn occupations that ``o`` does not list) — earlier work in an unrelated trade — with
the draws of sparse, very sparse and confusers.

* at least one essential skill is always kept;
* *confusers* are essential skills of sibling occupations (same ISCO unit group, then the same
  minor and sub-major group; at most two from each sibling) that ``o`` does not list — what
  earlier jobs in neighbouring trades leave;
* *transversal* skills come from ESCO's transversal skills (reuse level ``transversal``);
* a *hierarchy neighbour* is a broader, narrower or sibling skill in ESCO's skill pillar that
  ``o`` does not list (the assessment recorded a neighbouring skill);
* each skill gets level U(0.4, 1.0), confidence U(0.5, 1.0) and an evidence kind (assessed
  40 %, observed 20 %, experience 20 %, self-declared 20 %), drawn the same way for true and
  noise skills so strength does not give the answer away;
* with Dutch levels, each sub-skill meets the occupation's requirement, except for 30 % of
  profiles who are one level short on listening and speaking.

Every family has its own random stream derived from ``seed``: the same seed gives the same
profiles whatever else changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assessment import cefr
from assessment.profile import CompetenceProfile
from matching.language import SUB_SKILLS

KINDS = ("assessed", "observed", "experience", "self_declared")
KIND_P = (0.4, 0.2, 0.2, 0.2)


@dataclass(frozen=True)
class Family:
    name: str
    essential: tuple[float, float] | float     # fraction range, or per-skill keep probability
    optional: tuple[int, int] | float          # count range, or per-skill keep probability
    confusers: tuple[int, int]
    transversal: tuple[int, int]
    dutch: bool = True
    related: float = 0.0                       # share of kept essentials replaced by a neighbour
    unrelated_confusers: bool = False          # confusers from any occupation, not from siblings


FAMILIES: tuple[Family, ...] = (
    Family("dense", 0.5, 0.25, (1, 3), (1, 3)),
    Family("dense, no Dutch levels", 0.5, 0.25, (1, 3), (1, 3), dutch=False),
    Family("sparse", (0.15, 0.35), 0.25, (4, 8), (0, 2)),
    Family("sparse, no Dutch levels", (0.15, 0.35), 0.25, (4, 8), (0, 2), dutch=False),
    Family("very sparse (few optionals)", (0.15, 0.35), (0, 2), (4, 8), (0, 2)),
    Family("confusers", 0.5, 0.25, (6, 10), (0, 2)),
    Family("transversal noise", 0.5, 0.25, (0, 2), (6, 10)),
    Family("related skills", 0.5, 0.25, (1, 3), (1, 3), related=1 / 3),
    Family("sparse, confusers from any occupation", (0.15, 0.35), 0.25, (4, 8), (0, 2), unrelated_confusers=True),
    Family("very sparse, confusers from any occupation", (0.15, 0.35), (0, 2), (4, 8), (0, 2),
           unrelated_confusers=True),
    Family("confusers from any occupation", 0.5, 0.25, (6, 10), (0, 2), unrelated_confusers=True),
)


class Generator:
    """Reads what the families need from the taxonomy once; :meth:`profiles` draws them."""

    def __init__(self, con, *, required: np.ndarray, occ_index: dict[str, int]) -> None:
        rows = con.execute(
            """SELECT s.occupation_uri, o.isco_group, s.relation_type, list(s.skill_uri ORDER BY s.skill_uri)
               FROM taxonomy.occupation_skills s JOIN taxonomy.occupations o ON o.uri = s.occupation_uri
               WHERE s.skill_uri NOT IN (SELECT uri FROM taxonomy.collections WHERE collection = 'language')
               GROUP BY ALL ORDER BY ALL"""
        ).fetchall()
        self.ess: dict[str, list[str]] = {}
        self.opt: dict[str, list[str]] = {}
        self.isco: dict[str, str] = {}
        for occ, isco, rel, skills in rows:
            (self.ess if rel == "essential" else self.opt)[occ] = skills
            self.isco[occ] = isco or ""
        self.occupations = sorted(o for o, s in self.ess.items() if len(s) >= 3)
        self.transversal = [r[0] for r in con.execute(
            "SELECT uri FROM taxonomy.skills WHERE reuse_level = 'transversal' ORDER BY uri").fetchall()]
        pairs = con.execute(
            """SELECT uri, broader_uri FROM taxonomy.broader WHERE pillar = 'skill'
               AND concept_type = 'KnowledgeSkillCompetence' ORDER BY ALL""").fetchall()
        skills = {r[0] for r in con.execute("SELECT uri FROM taxonomy.skills").fetchall()}
        self.neighbours: dict[str, list[str]] = {}
        children: dict[str, list[str]] = {}
        for u, b in pairs:
            children.setdefault(b, []).append(u)
            if b in skills:  # a skill group (or ISCED-F field) above a skill is no skill to record
                self.neighbours.setdefault(u, []).append(b)
                self.neighbours.setdefault(b, []).append(u)
        for members in children.values():
            if len(members) <= 25:
                for u in members:
                    self.neighbours.setdefault(u, []).extend(m for m in members if m != u)
        self.required = required
        self.occ_index = occ_index

    def siblings(self, occ: str, rng: np.random.Generator, *, want: int = 4) -> list[str]:
        """Up to ``want`` sibling occupations: same ISCO unit group first, then minor, then sub-major."""
        code, out = self.isco[occ], []
        for n in (4, 3, 2):
            if not code or len(out) >= want:
                break
            sib = [o for o in self.ess if o != occ and o not in out and self.isco[o][:n] == code[:n]]
            rng.shuffle(sib)
            out += sib[: want - len(out)]
        return out

    def _confusers(self, occ: str, own: set[str], n: int, rng: np.random.Generator) -> list[str]:
        """``n`` essential skills of siblings that ``occ`` does not list, at most two per sibling."""
        out: list[str] = []
        for sib in self.siblings(occ, rng, want=max(4, (n + 1) // 2)):
            pool = [s for s in self.ess[sib] if s not in own and s not in out]
            if pool:
                out += list(rng.choice(pool, size=min(2, len(pool), n - len(out)), replace=False))
            if len(out) >= n:
                break
        return out

    def _unrelated(self, own: set[str], n: int, rng: np.random.Generator) -> list[str]:
        """``n`` essential skills that ``occ`` does not list, each from a randomly drawn occupation."""
        out: list[str] = []
        names = sorted(self.ess)
        while len(out) < n:
            pool = [s for s in self.ess[names[int(rng.integers(len(names)))]] if s not in own and s not in out]
            if pool:
                out.append(pool[int(rng.integers(len(pool)))])
        return out

    def profiles(self, family: Family, *, sample: int, seed: int,
                 index: int) -> tuple[list[CompetenceProfile], list[str]]:
        rng = np.random.default_rng([seed, index])
        picks = sorted(rng.choice(len(self.occupations), size=min(sample, len(self.occupations)), replace=False))
        out, truth = [], []
        for n, i in enumerate(picks):
            occ = self.occupations[int(i)]
            ess, opt = self.ess[occ], self.opt.get(occ, [])
            own = set(ess) | set(opt)
            if isinstance(family.essential, float):
                keep = [s for s in ess if rng.random() < family.essential]
            else:
                k = max(1, round(rng.uniform(*family.essential) * len(ess)))
                keep = list(rng.choice(ess, size=k, replace=False))
            keep = keep or [ess[int(rng.integers(len(ess)))]]
            if family.related:
                swapped = []
                for s in keep:
                    near = [t for t in self.neighbours.get(s, []) if t not in own]
                    swapped.append(near[int(rng.integers(len(near)))] if near and rng.random() < family.related else s)
                keep = swapped
            if isinstance(family.optional, float):
                keep += [s for s in opt if rng.random() < family.optional]
            elif opt:
                keep += list(rng.choice(opt, size=min(len(opt), int(rng.integers(family.optional[0],
                                                                                 family.optional[1] + 1))),
                                        replace=False))
            n_conf = int(rng.integers(family.confusers[0], family.confusers[1] + 1))
            keep += (self._unrelated(own, n_conf, rng) if family.unrelated_confusers
                     else self._confusers(occ, own, n_conf, rng))
            n_tr = int(rng.integers(family.transversal[0], family.transversal[1] + 1))
            keep += [s for s in rng.choice(self.transversal, size=n_tr, replace=False) if s not in own]
            skills = list(dict.fromkeys(keep))
            rng.shuffle(skills)
            dutch = {}
            if family.dutch:
                req = self.required[self.occ_index[occ]]
                dutch = {k: cefr.name_of(v) for k, v in zip(SUB_SKILLS, req, strict=True)}
                if rng.random() < 0.3:
                    for k, j in (("listening", 0), ("speaking", 2)):
                        dutch[k] = cefr.name_of(max(0.0, req[j] - 1))
            out.append(CompetenceProfile.model_validate({
                "participant_id": f"Q{index}-{n:05d}",
                "skills": [{"uri": s, "level": float(rng.uniform(0.4, 1.0)), "confidence": float(rng.uniform(0.5, 1.0)),
                            "evidence_kind": KINDS[int(rng.choice(4, p=KIND_P))]} for s in skills],
                "dutch": dutch,
            }))
            truth.append(occ)
        return out, truth
