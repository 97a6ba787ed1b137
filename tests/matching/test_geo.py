"""Postcode distances and the commute estimate (package data, no ../shared)."""

import pytest

from foundation.errors import InputError
from matching import geo


def test_bruges_kortrijk_distance_and_commute():
    d = geo.distance_km("8000", "8500")
    assert 40 < d < 48  # about 44 km as the crow flies
    assert geo.commute_minutes(d, geo.SPEED_KMH["bike"]) == pytest.approx(60 * d * geo.DETOUR / 14.0)
    assert geo.best_speed(["walk", "car"]) == geo.SPEED_KMH["car"]
    assert geo.best_speed([]) == geo.SPEED_KMH["public_transport"]


def test_places_carry_municipality_and_region():
    p = geo.place("9300")
    assert p.municipality == "Aalst" and p.region == "Vlaams Gewest"


def test_unknown_postcode_is_an_input_error():
    with pytest.raises(InputError) as err:
        geo.place("0001", field="postcode")
    assert err.value.problems[0].column == "postcode"
    lat, _ = geo.coordinates(["8000", None, "0001"])
    assert lat[0] == pytest.approx(51.2, abs=0.1) and lat[1] != lat[1] and lat[2] != lat[2]
