"""The ceiling of a profile family: the occupation most likely to have generated a profile, knowing the generator.

:class:`benchmarks.profiles.Generator` draws a profile from its true occupation ``o`` by known rules. A
ranker that knew those rules and ESCO's lists would pick, for a profile ``S``, the occupation of highest
posterior (uniform prior over the occupations the generator draws from, at least 3 essential skills)::

    ln P(S | o) = kept(E_o)  +  kept(O_o)  +  Σ_{s ∈ S ∖ (E_o ∪ O_o)} ln q_o(s)      (−∞ if some s has q_o(s) = 0)

    kept(E_o)  per-skill draw p:  k_E ln p + (n_E − k_E) ln(1 − p)
               share draw [a, b]: −ln |{k}| − ln C(n_E, k_E)   (k_E one of the counts round([a, b] · n_E))
    kept(O_o)  per-skill draw p:  k_O ln p + (n_O − k_O) ln(1 − p);   count draw [0, c]: −ln C(n_O, k_O)
    q_o(s)     the chance that the noise draws s:
               sibling confusers  Σ_{sib ∋ s} 1/|sibs_o| · 1/|E_sib ∖ own_o|   (siblings as the generator picks them)
               any-occupation     Σ_{o' ∋ s} 1/N · 1/|E_o'|
               transversal        1/|T|,   related skills  1/|∪_{e ∈ E_o} near(e) ∖ own_o|

It ignores what carries no sign of ``o`` (levels, confidence, evidence kinds: drawn alike for true and
noise skills), the Dutch levels, the count bounds of the noise and the generator's draws without
replacement, and breaks exact ties at random; it is an approximate Bayes decision, so its Recall@1 is what
the family allows, not an exact bound. It knows which skills the generator can draw as noise for ``o`` at all,
which no ranker of real profiles can know: about half of the profiles it gets right where werkbrug does not
(sparse, seed 1) are those where werkbrug's choice could not have drawn one of the profile's skills.
Occupations whose lists differ only in skills the profile did not draw (ESCO's many "shop manager",
"import export manager" and "wholesale merchant" variants) stay tied for it as for any ranker.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from profiles import Family, Generator
from scipy.special import gammaln

LOG_ZERO = -1e9


class Ceiling:
    """The generator's posterior over its occupations for profiles of one family; :meth:`scores` per profile."""

    def __init__(self, gen: Generator) -> None:
        self.gen = gen
        self.occ = gen.occupations
        skills = sorted({s for o in gen.ess for s in gen.ess[o]} | {s for o in gen.opt for s in gen.opt[o]}
                        | set(gen.transversal) | set(gen.neighbours))
        self.si = {s: i for i, s in enumerate(skills)}
        self.E = self._matrix({o: gen.ess[o] for o in self.occ})
        self.O = self._matrix({o: gen.opt.get(o, []) for o in self.occ})
        self.own = ((self.E + self.O) > 0).astype(np.float64).tocsr()
        self.n_e = np.asarray(self.E.sum(axis=1)).ravel()
        self.n_o = np.asarray(self.O.sum(axis=1)).ravel()
        self._noise: dict[tuple, sp.csr_matrix] = {}

    def _matrix(self, rows: dict[str, object], values: dict[str, dict[str, float]] | None = None) -> sp.csr_matrix:
        r, c, v = [], [], []
        for i, o in enumerate(self.occ):
            for s in rows.get(o, ()):
                if s in self.si:
                    r.append(i)
                    c.append(self.si[s])
                    v.append(1.0 if values is None else values[o][s])
        return sp.csr_matrix((v, (r, c)), shape=(len(self.occ), len(self.si)))

    def _siblings(self, occ: str, want: int) -> list[str]:
        """The occupations the generator draws siblings from: the unit group, widened until ``want``."""
        code, out = self.gen.isco[occ], []
        for n in (4, 3, 2):
            if not code or len(out) >= want:
                break
            out += [o for o in self.gen.ess if o != occ and o not in out and self.gen.isco[o][:n] == code[:n]]
        return out

    def noise(self, family: Family) -> sp.csr_matrix:
        """``q_o(s)`` for every occupation and noise skill of the family (occupations × skills)."""
        key = (family.unrelated_confusers, family.related > 0, max(4, (family.confusers[1] + 1) // 2))
        if key not in self._noise:
            gen, q = self.gen, {}
            n_t = max(len(gen.transversal), 1)
            df: dict[str, float] = {}
            for o in gen.ess:
                for s in gen.ess[o]:
                    df[s] = df.get(s, 0.0) + 1.0 / (len(gen.ess) * len(gen.ess[o]))
            for o in self.occ:
                own = set(gen.ess[o]) | set(gen.opt.get(o, []))
                qo: dict[str, float] = {}
                if family.unrelated_confusers:
                    qo.update({s: p for s, p in df.items() if s not in own})
                else:
                    sibs = self._siblings(o, key[2])
                    for sib in sibs:
                        pool = [s for s in gen.ess[sib] if s not in own]
                        for s in pool:
                            qo[s] = qo.get(s, 0.0) + 1.0 / (len(sibs) * len(pool))
                if family.related:
                    near = {t for e in gen.ess[o] for t in gen.neighbours.get(e, ()) if t not in own}
                    for t in near:
                        qo[t] = max(qo.get(t, 0.0), 1.0 / len(near))
                for s in gen.transversal:
                    if s not in own:
                        qo[s] = max(qo.get(s, 0.0), 1.0 / n_t)
                q[o] = qo
            self._noise[key] = self._matrix(q, q).tocsr()
        return self._noise[key]

    def scores(self, family: Family, profiles: list) -> np.ndarray:
        """``ln P(S | o)`` (profiles × the generator's occupations), ``LOG_ZERO`` where ``o`` cannot explain ``S``;
        exact ties (occupations whose lists the profile cannot tell apart) are for the caller to break at random."""
        rows = [i for i, p in enumerate(profiles) for s in {s.uri for s in p.skills} if s in self.si]
        cols = [self.si[s] for p in profiles for s in {s.uri for s in p.skills} if s in self.si]
        S = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(profiles), len(self.si)))
        n_s = np.array([len({s.uri for s in p.skills}) for p in profiles], dtype=np.float64)[:, None]
        k_e, k_o = (S @ self.E.T).toarray(), (S @ self.O.T).toarray()
        q = self.noise(family)
        ln_q = q.copy()
        ln_q.data = np.log(ln_q.data)
        explained = (S @ (q > 0).astype(np.float64).T).toarray()
        noise = (S @ ln_q.T).toarray()
        possible = explained >= n_s - k_e - k_o - 1e-9
        share = family.essential
        if isinstance(share, float):
            p = share * (1 - family.related)       # a kept essential swapped for a neighbour is not shown
            kept_e = k_e * math.log(p) + (self.n_e - k_e) * math.log(1 - p)
        else:
            lo = np.maximum(1, np.round(share[0] * self.n_e))
            hi = np.maximum(1, np.round(share[1] * self.n_e))
            fits = (k_e >= lo) & (k_e <= hi)
            kept_e = np.where(fits, -np.log(hi - lo + 1) - _ln_choose(self.n_e, k_e), LOG_ZERO)
        if isinstance(family.optional, float):
            p = family.optional
            kept_o = k_o * math.log(p) + (self.n_o - k_o) * math.log(1 - p)
        else:
            kept_o = np.where(k_o <= family.optional[1], -_ln_choose(self.n_o, k_o), LOG_ZERO)
        return np.where(possible, kept_e + kept_o + noise, LOG_ZERO)


def _ln_choose(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(np.maximum(n - k, 0) + 1)
