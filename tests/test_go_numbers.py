"""The number go-yaml v3 reads an unquoted scalar as (what a fix that removes quotes must agree with).

The table is go-yaml v3's own answer (Debian's golang-gopkg-yaml.v3, decoding
`v: <scalar>` into an interface{}); None is a scalar go-yaml reads as
something else (a string, a timestamp).
"""

from __future__ import annotations

import math

import pytest

from worker_lint.document.goscalar import plain_number

GO_YAML_V3 = [
    ("2", 2),
    ("010", 8),
    ("007", 7),
    ("08", 8.0),
    ("0o10", 8),
    ("0O17", 15),
    ("0x1F", 31),
    ("0B11", 3),
    ("1_000", 1000),
    ("1__0", 10),
    ("+5", 5),
    ("-0", 0),
    ("00", 0),
    ("1e3", 1000.0),
    ("1e400", None),
    (".5", 0.5),
    (".5_0", 0.5),
    ("1.", 1.0),
    ("+.inf", math.inf),
    ("inf", None),
    ("99999999999999999999", 1e20),
    ("18446744073709551615", 18446744073709551615),
    ("+18446744073709551615", 1.8446744073709552e19),
    ("-9223372036854775809", -9.223372036854776e18),
    ("0x10000000000000000", None),
    ("0x", None),
    ("2006-01-02", None),
    ("1:2", None),
    ("1" * 5000, None),
]


@pytest.mark.parametrize(("scalar", "number"), GO_YAML_V3, ids=[s[:24] for s, _ in GO_YAML_V3])
def test_plain_numbers_as_go_yaml_v3_reads_them(scalar: str, number: int | float | None):
    read = plain_number(scalar)
    assert read == number and type(read) is type(number)


def test_nan_is_a_float():
    read = plain_number(".NaN")
    assert isinstance(read, float) and math.isnan(read)
