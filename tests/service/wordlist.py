"""The product word list: words that give away the other language on a page.

Curated from werkbrug's own screens and reports (not a dictionary): English words that must
never be read in the Dutch UI, and Dutch words that must never be read in the English UI. Words
both languages share ("score", "stage", "coach", "shortlist", "test", "status", "instrument",
"admin", "assessor", "API", "ESCO", "CEFR", "NT2") are left out on purpose.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())

ENGLISH = _words("""
the and or not of with without for from into this that these those your you our are was were has have
be been will would should can cannot could must may please choose enter save saved cancel edit delete
remove close closed open add added new back next previous page pages search sort filter all none
yes no only also more less than
participant participants vacancy vacancies employer employers candidate candidates target targets
agreed trajectory step steps training internship course childcare mobility owner planned started done
cancelled skill skills occupation occupations experience years preferred sectors availability hours
shifts weekends commute maximum minutes education level diploma recognition recognised
postcode contacted invited hired rejected suggested confirmed confirm reason reasons history
problem problems nothing imported row column sheet file line unknown missing outside scale
required requirement declared below above meets gap gaps matches title essential optional evidence
tested observed self declared listening reading speaking writing dutch language languages profile
competence passport record records recorded date today week month
user users username password role roles active inactive purpose action actions
read viewed created updated changed reset change login logout welcome
consent withdrawn given proposed where when who what why how
""")

DUTCH = _words("""
de het een en of niet met zonder voor naar dit dat deze jouw uw onze zijn was waren heeft hebben
wordt worden zal zou moet kan kunnen mag graag kies geef bewaar bewaard annuleer bewerk verwijder
sluit gesloten open toevoegen toegevoegd nieuw nieuwe terug volgende vorige pagina zoek zoeken sorteer
alle geen ja nee alleen ook meer minder dan
deelnemer deelnemers vacature vacatures werkgever werkgevers kandidaat kandidaten jobdoelwit jobdoelwitten
afgesproken traject stap stappen opleiding cursus kinderopvang mobiliteit eigenaar gepland gestart
gedaan geannuleerd vaardigheid vaardigheden beroep beroepen ervaring jaar jaren voorkeur sectoren
beschikbaarheid uren uur ploegen weekend weekends vervoer reistijd woon werk maximum minuten opleidingsniveau
diploma erkenning erkend postcode contactgegevens gecontacteerd uitgenodigd aangeworven afgewezen
voorgesteld bevestigd bevestig reden redenen geschiedenis probleem problemen niets geïmporteerd importeer
rij kolom blad bestand regel onbekend ontbreekt buiten schaal vereist vereiste opgegeven onder boven
voldoet kloof titel komt overeen noodzakelijk bewijs getest geobserveerd luisteren lezen spreken
schrijven nederlands taal talen profiel competentie competentiepaspoort paspoort gegevens geregistreerd
datum vandaag week maand gebruiker gebruikers gebruikersnaam wachtwoord rol rollen actief inactief
logboek doel actie acties bekeken aangemaakt gewijzigd wijzig wijziging inloggen uitloggen welkom
toestemming ingetrokken gegeven waar wanneer wie wat waarom hoe resultaten opgeslagen ligt
""")

#: words in both lists are not evidence of either language
_BOTH = ENGLISH & DUTCH
FOREIGN = {"nl": ENGLISH - _BOTH, "en": DUTCH - _BOTH}


def foreign_words(text: str, *, lang: str) -> set[str]:
    """The words of ``text`` that belong to the other language (case-insensitive, whole words)."""
    text = re.sub(r"https?://\S+", " ", text)  # addresses are identifiers, not language
    words = {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", text) if not w.isupper()}  # not acronyms (MAG, EN)
    return words & FOREIGN[lang]
