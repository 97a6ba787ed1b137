"""Vacancy text → sentences and clauses, with boilerplate marked; Dutch compounds split.

A vacancy text is cut into sentences (line breaks, bullets, ``. ! ? ;``) and each sentence
into clauses (commas, ``en``/``of`` lists are kept whole). A section header such as
"Wat bieden wij?" or "Over ons" (on its own line, as a sentence of one, or before a colon:
"Wat bieden wij: een vast contract") sets the section of the sentences after it; sentences in a
company, offer, application or diversity section, or that read like one (salary package,
"stuur je cv", "ongeacht afkomst"), are *boilerplate* and never searched for skills.

:class:`CompoundSplitter` splits Dutch compounds against a vocabulary of label words
(``heftruckchauffeur`` → ``heftruck chauffeur``, ``magazijnmedewerker`` → ``magazijn
medewerker``), also across the linking letters ``s``/``e``/``en``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[\w'+#-]+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=\S)|\s*\n+\s*|\s+[•·▪●◦‣]\s*|^\s*[•·▪●◦‣*-]\s+", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[•·▪●◦‣*–-]+|\d+[.)])\s*")

#: Section headers (normalised, start of a line) and the section they open.
SECTIONS: dict[str, tuple[str, ...]] = {
    "offer": ("wat bieden wij", "wat bieden we", "ons aanbod", "wij bieden", "we bieden", "wat mag je verwachten",
              "wat krijg je", "aanbod", "what we offer", "we offer", "benefits"),
    "company": ("over ons", "wie zijn wij", "wie zijn we", "het bedrijf", "onze klant", "bedrijfsprofiel",
                "about us", "who we are", "the company"),
    "apply": ("interesse", "solliciteren", "hoe solliciteren", "hoe solliciteer je", "contact", "procedure",
              "how to apply", "apply", "interested"),
    "diversity": ("diversiteit", "gelijke kansen", "diversity", "equal opportunities"),
    "profile": ("profiel", "jouw profiel", "je profiel", "wie zoeken we", "wie zoeken wij", "wat verwachten we",
                "wat verwachten wij", "vereisten", "functie-eisen", "jouw taken", "je taken", "taken",
                "functie", "functieomschrijving", "wat ga je doen", "wat doe je", "profile", "requirements",
                "your tasks", "responsibilities", "job description"),
}
BOILERPLATE_SECTIONS = frozenset({"offer", "company", "apply", "diversity"})
#: Phrases that make one sentence boilerplate wherever it stands.
BOILERPLATE_PHRASES = (
    "ongeacht", "gelijke kansen", "diversiteit", "stuur je cv", "stuur uw cv", "stuur je kandidatuur",
    "solliciteer", "mail je cv", "bezorg je cv", "kandidaturen", "maaltijdcheques", "ecocheques",
    "competitief loon", "marktconform loon", "aantrekkelijk loon", "aantrekkelijk salaris", "loonpakket",
    "extralegale", "groepsverzekering", "hospitalisatieverzekering", "bedrijfswagen", "wij bieden",
    "we bieden", "je krijgt", "u krijgt", "regardless of", "equal opportunity", "send your cv", "apply now",
    "competitive salary",
)


def normalise(text: str) -> str:
    """Lower case, accents off, words only (``+ # ' -`` kept inside words)."""
    text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")
    return " ".join(_WORD.findall(text))


@dataclass(frozen=True)
class Segment:
    """One sentence of a vacancy text: its place, section, clauses and whether it is boilerplate."""

    index: int
    text: str
    section: str
    boilerplate: bool
    clauses: tuple[str, ...]


def _header(line: str) -> str | None:
    n = normalise(line)
    if not n or len(n.split()) > 5:
        return None
    for section, heads in SECTIONS.items():
        if any(n == h or (n.startswith(h) and line.rstrip().endswith((":", "?"))) for h in heads):
            return section
    return None


def _opening(text: str) -> tuple[str | None, str]:
    """The section a header at the start of ``text`` opens, and what follows it on the line.

    The header is the whole text ("Wat bieden wij?") or the part before its first colon
    ("Wat bieden wij: een vast contract" → offer, "een vast contract").
    """
    head = _header(text)
    if head:
        return head, text.split(":", 1)[1].strip() if ":" in text else ""
    before, colon, after = text.partition(":")
    if colon and (head := _header(before + ":")):
        return head, after.strip()
    return None, text


def clauses(sentence: str) -> tuple[str, ...]:
    """Comma/colon parts of a sentence with at least two words or one long word."""
    parts = [p.strip(" :-–") for p in re.split(r"[,:]\s+|\s+[–-]\s+|\(|\)", sentence)]
    parts = [p for p in parts if len(p) >= 3]
    return tuple(parts) if len(parts) > 1 else (sentence.strip(),)


def segment(text: str) -> list[Segment]:
    """The sentences of ``text`` in order, each with its section and boilerplate flag."""
    out: list[Segment] = []
    section = "body"
    for line in text.splitlines():
        head, line = _opening(line)
        section = head or section
        for raw in _SENTENCE_END.split(line):
            sentence = _BULLET.sub("", raw or "").strip()
            inline, sentence = _opening(sentence)  # "Wat bieden wij? Maaltijdcheques …" on one line
            section = inline or section
            if len(normalise(sentence)) < 3:
                continue
            n = normalise(sentence)
            boiler = section in BOILERPLATE_SECTIONS or any(p in n for p in BOILERPLATE_PHRASES)
            out.append(Segment(len(out), sentence, section, boiler, clauses(sentence)))
    return out


class CompoundSplitter:
    """Splits Dutch compounds into words of a vocabulary (greedy, longest parts, ≤ 3 parts)."""

    LINKS = ("", "s", "e", "en", "-")

    def __init__(self, words: Iterable[str], *, min_part: int = 4, min_count: int = 1):
        counts = Counter(w for w in words if len(w) >= min_part and w.isalpha())
        self.vocab = frozenset(w for w, c in counts.items() if c >= min_count)
        self.min_part = min_part
        self._memo: dict[str, tuple[str, ...]] = {}

    def split(self, word: str) -> tuple[str, ...]:
        """Parts of ``word`` (itself alone when it is no compound of known words)."""
        got = self._memo.get(word)
        if got is None:
            got = self._split(word, 3) or (word,)
            self._memo[word] = got
        return got

    def _split(self, word: str, parts: int) -> tuple[str, ...] | None:
        m = self.min_part
        if len(word) < 2 * m or parts < 2:
            return None
        for cut in range(len(word) - m, m - 1, -1):  # longest head first
            head = word[:cut]
            if head not in self.vocab:
                continue
            for link in self.LINKS:
                if not word[cut:].startswith(link):
                    continue
                tail = word[cut + len(link):]
                if tail in self.vocab and len(tail) >= m:
                    return (head, tail)
                more = self._split(tail, parts - 1)
                if more:
                    return (head, *more)
        return None

    def expand(self, text: str) -> str:
        """``text`` normalised, each compound followed by its parts."""
        return self.expand_normal(normalise(text))

    def expand_normal(self, text: str) -> str:
        """:meth:`expand` of a text that is :func:`normalise` d already."""
        out = []
        for w in text.split():
            out.append(w)
            parts = self.split(w) if len(w) >= 2 * self.min_part else (w,)
            if len(parts) > 1:
                out.extend(parts)
        return " ".join(out)
