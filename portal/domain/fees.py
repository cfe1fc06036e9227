"""What a dossier owes from the catalogue, by the channel it came through. Pure: stdlib only.

Some charges (lệ phí) are lower, or nothing, for a dossier submitted online (nộp trực tuyến) than for one
handed in at the counter (nộp trực tiếp): Circular 75/2022/TT-BTC for residence registration (permanent
20,000 / 10,000 đ; temporary and its extension 15,000 / 7,000 đ; household split 10,000 / 5,000 đ,
VIETNAM.md §12), Circular 47/2019/TT-BTC for enterprise registration (50,000 đ, none online). A dossier
sent by public post is not submitted online: it owes the counter's charge. The fee (phí) is the same
whatever the channel.

The catalogue keeps, per procedure, the charge, the fee and the online charge (None: the same as at the
counter). `amount_for` is the one rule choosing between them: the online submission, the counter intake,
the fee request's fallback and every page that names the amount a dossier of a channel owes go through it.
"""

from __future__ import annotations

# The channel whose dossiers owe the online charge (Dossier.channel; the export's KenhThucHien 2).
ONLINE = "online"
# The channel a procedure's counter amount is quoted for (also what a postal dossier owes).
COUNTER = "counter"


def amount_for(channel: str, charge: int | None, fee: int | None, online_charge: int | None) -> int | None:
    """Charge plus fee owed by a dossier of `channel`, in whole dong; None when the catalogue has no amount
    for it (the provincial People's Council sets it). An online dossier owes the online charge when the
    catalogue has one, else the counter's."""
    if channel == ONLINE and online_charge is not None:
        charge = online_charge
    if charge is None and fee is None:
        return None
    return (charge or 0) + (fee or 0)


def online_charge_allowed(charge: int | None, online_charge: int | None) -> bool:
    """An online charge is never more than the counter's (the law lowers it for online submission, never
    raises it): a larger one is a typing mistake. Either unknown: nothing to compare."""
    return charge is None or online_charge is None or online_charge <= charge
