"""Every page and report, in Dutch and in English, holds no words of the other language.

The pages are found by following the links of each role's start page (as a person would); the
text read is what a browser shows, minus what is not UI text: people's own data (marked
``translate="no"``) and ESCO terms shown in another language (marked with their ``lang``).
The words come from the product word list in :mod:`tests.service.wordlist`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.live import running_server
from tests.service.web import browser_for, post_form
from tests.service.wordlist import foreign_words
from tests.service.world import World, build_world, fast_matching

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIP_LINKS = ("/logout", "/lang/", "/static/", "/docs", "/openapi", "/swagger", "/api/")
MAX_PAGES = 60


class _Reader(HTMLParser):
    """The text a person reads in the page's language, and the page's links."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang, self.stack, self.text, self.links = lang, [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        skip = (tag in ("script", "style") or a.get("translate") == "no"
                or (a.get("lang") not in (None, self.lang) and tag != "html"))
        for name in ("title", "aria-label", "placeholder", "alt"):
            if a.get(name) and not skip and not any(self.stack):
                self.text.append(a[name])
        if tag not in VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.text.append(data)


def read(html: str, lang: str) -> tuple[str, list[str]]:
    reader = _Reader(lang)
    reader.feed(html)
    return " ".join(reader.text), reader.links


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("languages") / "w.duckdb")
        with running_server(w.db) as url:
            yield w, url


def _context(text: str, word: str) -> str:
    m = re.search(rf"(?i)\b{re.escape(word)}\b", text)
    return f"{word}: …{' '.join(text[max(0, m.start() - 40):m.end() + 40].split())}…" if m else word


def crawl(client, lang: str) -> dict[str, list[str]]:
    """Foreign words per page, following every local link from the start page."""
    client.cookies.set("werkbrug_lang", lang)
    seen, queue, found = set(), ["/"], {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen:
            continue
        seen.add(path)
        r = client.get(url)
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        text, links = read(r.text, lang)
        words = foreign_words(text, lang=lang)
        if words:
            found[path] = sorted(_context(text, w) for w in words)
        for link in links:
            full = urljoin(url, link)
            if full.startswith("/") and not full.startswith(SKIP_LINKS) and urlsplit(full).path not in seen:
                queue.append(full)
    assert len(seen) > 3
    return found


@pytest.mark.parametrize("role", ["assessor", "coach", "liaison", "admin"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_page_speaks_one_language(world: tuple[World, str], role: str, lang: str) -> None:
    _w, url = world
    with browser_for(url, role) as c:
        assert crawl(c, lang) == {}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_batch_report_speaks_one_language(world: tuple[World, str], lang: str) -> None:
    w, url = world
    csv = (f"instrument;versie;deelnemer;datum;opmerking;glass;floors\n"
           f"cleaning;1;{w.participant};31/11/2026;;5;x\n").encode()
    with browser_for(url, "assessor") as c:
        c.cookies.set("werkbrug_lang", lang)
        r = post_form(c, "/assessor/batch", "/assessor/batch", {}, files={"file": ("scores.csv", csv, "text/csv")})
        assert r.status_code == 422
        text, _ = read(r.text, lang)
        assert re.search(r"problemen|problems", text)
        assert foreign_words(text, lang=lang) == set()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_list_edit_and_registration_answers_speak_one_language(world: tuple[World, str], lang: str) -> None:
    """Pages the crawl does not reach: searched and sorted lists, a refused edit, a closed vacancy, a refused
    registration."""
    _w, url = world
    pages: dict[str, str] = {}
    with browser_for(url, "liaison") as c:
        c.cookies.set("werkbrug_lang", lang)
        for path in ("/liaison/vacancies?q=magazijn&sort=title&status=confirmed",
                     "/liaison/shortlists?q=test&sort=status"):
            pages[path] = c.get(path).text
        r = post_form(c, "/liaison/vacancies", "/liaison/vacancies", {
            "title": "Afwasser", "employer": "Resto", "postcode": "8000", "description": "Afwassen en poetsen."})
        vid = r.headers["location"].rsplit("/", 1)[1]
        page = c.get(f"/liaison/vacancies/{vid}").text
        occ = re.search(r'name="occupation_uris" value="([^"]+)"', page).group(1)
        skill = re.search(r'name="essential_skills" value="([^"]+)"', page).group(1)
        assert post_form(c, f"/liaison/vacancies/{vid}", f"/liaison/vacancies/{vid}/confirm",
                         {"occupation_uris": occ, "essential_skills": skill}).status_code == 303
        bad = post_form(c, f"/liaison/vacancies/{vid}", f"/liaison/vacancies/{vid}/edit",
                        {"title": "", "postcode": "99", "hours_per_week": "veel", "licences": "ZZ"})
        assert bad.status_code == 422
        pages["edit refused"] = bad.text
        assert post_form(c, f"/liaison/vacancies/{vid}", f"/liaison/vacancies/{vid}/close", {}).status_code == 303
        pages["closed"] = c.get(f"/liaison/vacancies/{vid}?saved=closed").text
    with browser_for(url, "coach") as c:
        c.cookies.set("werkbrug_lang", lang)
        refused = post_form(c, "/coach/participants", "/coach/participants", {"name": "", "postcode": "80"})
        assert refused.status_code == 422
        pages["registration refused"] = refused.text
    with browser_for(url, "admin") as c:
        c.cookies.set("werkbrug_lang", lang)
        pages["audit searched"] = c.get("/admin/audit?q=vacancy&sort=oldest").text
    found = {name: sorted(foreign_words(read(html, lang)[0], lang=lang)) for name, html in pages.items()}
    assert {k: v for k, v in found.items() if v} == {}
