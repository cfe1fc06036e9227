from datetime import date

import pytest

from portal.domain.codes import (
    InvalidCode,
    dossier_code,
    feedback_code,
    looks_like_feedback_code,
    parse_dossier_code,
    parse_feedback_code,
)


def test_feedback_code_format():
    assert feedback_code(date(2026, 11, 22), 42) == "PA-261122-0042"
    assert parse_feedback_code("pa-261122-0042") == (date(2026, 11, 22), 42)
    assert looks_like_feedback_code(" PA-261122-0042 ")
    assert not looks_like_feedback_code("000.00.00.H52-261122-0042")


def test_dossier_code_format_and_round_trip():
    code = dossier_code("000.00.00.H52", date(2026, 11, 23), 7)
    assert code == "000.00.00.H52-261123-0007"
    parsed = parse_dossier_code(code)
    assert (parsed.agency, parsed.received, parsed.sequence) == ("000.00.00.H52", date(2026, 11, 23), 7)


@pytest.mark.parametrize(
    "text",
    [
        "H15.50.05.13-261008-0975",
        "000.00.XX.H50-231122-0001",
        "G09.20-20260609-0092637",
    ],
)
def test_variants_seen_in_live_systems_parse(text):
    assert parse_dossier_code(text).sequence > 0


@pytest.mark.parametrize("text", ["", "H52-261399-0001", "H52-2611-0001", "PA-261122-0042x", "-261122-0001"])
def test_bad_dossier_codes(text):
    with pytest.raises(InvalidCode):
        parse_dossier_code(text)


@pytest.mark.parametrize("sequence", [0, -1, 10_000_000])
def test_sequence_range(sequence):
    with pytest.raises(InvalidCode):
        dossier_code("000.00.00.H52", date(2026, 1, 5), sequence)
