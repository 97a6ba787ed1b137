"""Belgian enterprise numbers (ondernemingsnummer, KBO/BCE): normalise and check.

An enterprise number has ten digits, starts with 0 or 1, and its last two digits are a
check number: ``97 - (first eight digits mod 97)``. It is written ``0123.456.749``;
``BE 0123 456 749`` and ``123456749`` (the old nine-digit form) mean the same number.
"""

from __future__ import annotations

import re

from foundation.errors import InputError, Problem

_NOISE = re.compile(r"[\s.\-/]")


def check_digits(first_eight: int) -> int:
    """``97 - (n mod 97)``: the check number of the first eight digits ``n``."""
    return 97 - first_eight % 97


def normalise_kbo(value: str, *, field: str = "kbo") -> str:
    """The number as ``0123.456.749``, or :class:`InputError` naming ``field``."""
    raw = _NOISE.sub("", str(value or "")).upper()
    raw = raw.removeprefix("BE")
    if len(raw) == 9:
        raw = "0" + raw
    if not (len(raw) == 10 and raw.isdigit() and raw[0] in "01"):
        msg = f"{value!r} is not an enterprise number (ten digits, e.g. 0123.456.749)"
        raise InputError(msg, [Problem(msg, column=field, code="kbo.format", params={"value": str(value)})],
                         code="kbo.format", params={"value": str(value)})
    if int(raw[8:]) != check_digits(int(raw[:8])):
        msg = f"{value!r}: the check digits do not match (a typing error?)"
        raise InputError(msg, [Problem(msg, column=field, code="kbo.checksum", params={"value": str(value)})],
                         code="kbo.checksum", params={"value": str(value)})
    return f"{raw[:4]}.{raw[4:7]}.{raw[7:]}"


def is_valid_kbo(value: str) -> bool:
    """Whether ``value`` is a well-formed enterprise number with matching check digits."""
    try:
        normalise_kbo(value)
    except InputError:
        return False
    return True
