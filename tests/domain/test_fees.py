"""portal.domain.fees: what a dossier owes by its channel. Amounts from the law (VIETNAM.md §12): Circular
75/2022/TT-BTC, permanent residence 20.000 đ at the counter, 10.000 đ online; Circular 47/2019/TT-BTC, a
company's registration charge 50.000 đ, none online, beside the 100.000 đ publication fee."""

import pytest

from portal.domain.fees import amount_for, online_charge_allowed


@pytest.mark.parametrize(
    ("channel", "owed"),
    [("online", 10_000), ("counter", 20_000), ("post", 20_000)],  # a postal dossier is not submitted online
)
def test_permanent_residence(channel, owed):
    assert amount_for(channel, 20_000, None, 10_000) == owed


@pytest.mark.parametrize(("channel", "owed"), [("online", 100_000), ("counter", 150_000)])
def test_the_online_charge_replaces_the_charge_and_the_fee_stays(channel, owed):
    assert amount_for(channel, 50_000, 100_000, 0) == owed


@pytest.mark.parametrize("channel", ["online", "counter", "post"])
def test_without_an_online_charge_every_channel_owes_the_same(channel):
    assert amount_for(channel, None, 8_000, None) == 8_000  # phí only: a civil-status extract's copy
    assert amount_for(channel, 0, None, None) == 0  # free
    assert amount_for(channel, None, None, None) is None  # the provincial People's Council sets it


def test_an_online_charge_where_the_counter_amount_is_the_councils():
    assert amount_for("online", None, None, 0) == 0
    assert amount_for("counter", None, None, 0) is None


@pytest.mark.parametrize(
    ("charge", "online", "allowed"),
    [
        (20_000, 10_000, True),
        (20_000, 20_000, True),
        (20_000, 25_000, False),
        (None, 5_000, True),
        (0, None, True),
    ],
)
def test_an_online_charge_is_never_above_the_counters(charge, online, allowed):
    assert online_charge_allowed(charge, online) is allowed
