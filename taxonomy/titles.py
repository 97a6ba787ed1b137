"""Job titles as people type them, rewritten towards the words the taxonomy's labels use.

A :class:`TitleNormaliser` learns the words of the labels it will search (their vocabulary)
and rewrites a query in steps, each a pure string rule:

1. lower case, accents kept; gender tags (``(m/v/x)``, ``m/v``, ``h/f``, ``M/V/X``, ``m/w/d``)
   and parenthesised asides removed, punctuation to spaces;
2. seniority, contract and employer words dropped (``junior``, ``ervaren``, ``interim``,
   ``vacature``, ``voor ons magazijn`` → ``magazijn``, ``in Brugge``);
3. per word not in the vocabulary, the first rewrite that is in it: a female form to the
   form the labels use (``verkoopster`` → ``verkoper``, ``monteuse`` → ``monteur``,
   ``directrice`` → ``directeur``), a ``hoofd-`` prefix dropped, one typo fixed (one
   insertion, deletion, substitution or swap; the most frequent label word wins);
4. for the lexical ranker only, compounds against the vocabulary: two words the labels
   write as one are joined (``heftruck chauffeur`` → ``+ heftruckchauffeur``), an unknown
   compound is split (``magazijnbeheerster`` → ``+ magazijn beheerster``).

On held-out ESCO labels (``benchmarks/title_normalisation.py``) splitting the *labels'*
compounds made the lexical ranker worse (longer texts, diluted n-grams), so labels are only
cleaned (step 1).

Nothing is removed when that would leave the query empty.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise

COMBINING = re.compile(r"[\u0300-\u036f]")
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
GENDER_TAG = re.compile(
    r"[\(\[]\s*[mvhfwxd](?:\s*[/\-,|]\s*[mvhfwxd]){1,2}\s*[\)\]]"
    r"|(?<![^\W_])[mvhfw]\s*/\s*[mvhfw](?:\s*/\s*[xd])?(?![^\W_])",
    re.IGNORECASE,
)
PLACE = re.compile(r"\b(?:in|te|regio|omgeving|rond|nabij|near)\s+(?:de\s+|the\s+)?[A-Z][\w'’-]+")
PARENS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
#: Words that say something about the job offer, not about the occupation.
NOISE = frozenset("""
junior senior medior ervaren ervaring startende starter starters beginnend beginner
jobstudent student interim tijdelijk tijdelijke vast vaste voltijds deeltijds fulltime
parttime full part time halftijds dringend gezocht gevraagd vacature vacatures job jobs
ploeg ploegen dagploeg nachtploeg weekend flexi flexijob mvx
trainee stagiair stagiaire experienced entry level lead wanted hiring urgent temporary
""".split())  # noqa: SIM905
#: Function words of employer phrases: "voor ons magazijn", "bij onze klant", "in Brugge".
EMPLOYER = frozenset("""
voor ons onze bij in te regio omgeving met wij zoeken zoekt klant klanten team for our with
we are looking
""".split())  # noqa: SIM905
#: Female → male suffixes, tried in order; ``{}`` is the stem.
FEMININE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("trice", ("teur", "tor")),
    ("euse", ("eur",)),
    ("ologe", ("oloog",)),
    ("ares", ("aar",)),
    ("eres", ("er",)),
    ("ster", ("er", "der", "ter", "")),
    ("ome", ("oom",)),
    ("esse", ("is", "")),
    ("tress", ("ter", "tor")),
    ("ess", ("er", "or", "")),
    ("woman", ("man",)),
    ("es", ("",)),
    ("in", ("",)),
    ("e", ("",)),
)
VOWELS = "aeiou"


def fold(text: str) -> str:
    """Lower case without accents (for comparing words)."""
    return COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def clean(text: str) -> str:
    """Step 1: gender tags, places and parentheses out, punctuation to spaces, lower case."""
    text = PLACE.sub(" ", GENDER_TAG.sub(" ", text))
    text = PARENS.sub(lambda m: " " + (m[1] or m[2] or "") + " ", text)
    return " ".join(words(text))


def _stems(stem: str) -> list[str]:
    """Spelling variants of a stem before ``-er``: verkoop → verkop, kap → kapp, geef → gev."""
    out = [stem]
    if len(stem) >= 3 and stem[-1] not in VOWELS and stem[-2] in VOWELS and stem[-3] == stem[-2]:
        short = stem[:-3] + stem[-2] + stem[-1]
        out.append(short)
        if short[-1] in "fs":
            out.append(short[:-1] + {"f": "v", "s": "z"}[short[-1]])
    elif len(stem) >= 2 and stem[-1] not in VOWELS and stem[-2] in VOWELS:
        out.append(stem + stem[-1])
    return out


class TitleNormaliser:
    """Rewrites titles towards a label vocabulary (see the module docstring)."""

    def __init__(self, labels: Iterable[str]):
        counts: Counter[str] = Counter()
        for label in labels:
            counts.update(words(label))
        self.freq = counts
        self._deletes: dict[str, list[str]] = {}
        for word in counts:
            if len(word) >= 5:
                for variant in self._one_delete(word) | {word}:
                    self._deletes.setdefault(variant, []).append(word)
        self._cache: dict[str, str] = {}

    # -- word rules --------------------------------------------------------------------
    @staticmethod
    def _one_delete(word: str) -> set[str]:
        return {word[:i] + word[i + 1:] for i in range(len(word))}

    def known(self, word: str) -> bool:
        return word in self.freq

    def _known_or_compound(self, word: str) -> bool:
        if word in self.freq:
            return True
        return any(word[i:] in self.freq and word[:i] in self.freq
                   for i in range(3, len(word) - 3))

    def masculine(self, word: str) -> str | None:
        """The form the labels use for a female form, or ``None``."""
        for suffix, replacements in FEMININE:
            if not word.endswith(suffix) or len(word) - len(suffix) < 3:
                continue
            stem = word[: -len(suffix)]
            for repl in replacements:
                stems = _stems(stem) if repl == "er" else [stem]
                for s in stems:
                    candidate = s + repl
                    if candidate != word and self._known_or_compound(candidate):
                        return candidate
        return None

    def typo(self, word: str) -> str | None:
        """The most frequent label word one edit away (words of 7+ letters), or ``None``."""
        if len(word) < 7:
            return None
        found: set[str] = set()
        for variant in self._one_delete(word) | {word}:
            found.update(self._deletes.get(variant, ()))
        found = {w for w in found if _one_edit(word, w)}
        if not found:
            return None
        return max(sorted(found), key=lambda w: self.freq[w])

    def fix_word(self, word: str) -> str:
        if word in self.freq or not word.isalpha():
            return word
        hit = self._cache.get(word)
        if hit is None:
            hit = word
            for rule in (self.masculine, self._drop_head, self.typo):
                got = rule(word)
                if got:
                    hit = got
                    break
            self._cache[word] = hit
        return hit

    def _drop_head(self, word: str) -> str | None:
        for head in ("hoofd", "chef"):
            rest = word[len(head):].lstrip("-")
            if word.startswith(head) and len(rest) >= 3 and rest in self.freq:
                return rest
        return None

    def split(self, word: str) -> list[str]:
        """A compound as two label words (with linking ``s``/``e``/``en``), else ``[]``."""
        if len(word) < 8 or not word.isalpha():
            return []
        best: list[str] = []
        for i in range(3, len(word) - 3):
            head, tail = word[:i], word[i:]
            if tail not in self.freq or len(tail) < 4:
                continue
            for link in ("", "s", "e", "en"):
                if link and not head.endswith(link):
                    continue
                h = head[: len(head) - len(link)] if link else head
                if len(h) >= 3 and h in self.freq:
                    parts = [h, tail]
                    if not best or self.freq[tail] + self.freq[h] > sum(self.freq[p] for p in best):
                        best = parts
        return best

    # -- whole titles ------------------------------------------------------------------
    def _tokens(self, title: str) -> list[str]:
        tokens = clean(title).split()
        kept = [t for t in tokens if t not in NOISE and not t.isdigit()]
        kept = [t for t in kept if t not in EMPLOYER] or kept
        return kept or tokens or [title.strip()]

    def normalise(self, title: str) -> str:
        """Steps 1–3: the title for the sentence encoders (rewritten words replace the typed ones)."""
        return " ".join(self.fix_word(t) for t in self._tokens(title))

    def lexical(self, title: str) -> str:
        """The title for the lexical ranker: the normalised words, then compounds.

        Two adjacent words that the labels write as one (``heftruck chauffeur`` →
        ``heftruckchauffeur``, also with a linking ``s``) and the parts of an unknown
        compound (``magazijnbeheerster`` → ``magazijn beheerster``) are added.
        """
        words_ = self.normalise(title).split()
        joined = [j for a, b in pairwise(words_)
                  for j in (a + b, a + "s" + b) if j in self.freq]
        parts = [p for w in words_ if w not in self.freq for p in self.split(w)]
        return " ".join(words_ + joined + parts)


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one insertion, deletion, substitution or swap."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if la > lb:
        a, b = b, a
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    return a[i:] == b[i + 1:]
