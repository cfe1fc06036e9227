"""One online share (walk-through of 2026-12-08, regression): the leaders' dashboard said "Nộp trực tuyến
100,0 %" in its figures while Decision 766 indicator 3.3, on the same page, said 90,0 %. The figure counted
every dossier sent online; 3.3 (VIETNAM.md §7.2: online, KenhThucHien = 2, "with an e-result when the result
is a paper") leaves out an online dossier whose paper result has no electronic copy. Both now read the one
rule, `portal.domain.indicators.ONLINE_SHARE`.

The scenario below is one where the two old computations differ; the expected values are worked out by hand
from 3.3's rule."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from sqlalchemy import select

from portal.agencies.models import Agency
from portal.catalog.models import Procedure
from portal.domain.indicators import CatalogFacts, DossierFacts, FeedbackFacts, figures, score
from portal.extensions import db
from portal.statistics import dashboard, drilldown
from tests.statistics.test_dashboard import CHIENG_AN, add_dossier, at, page

APRIL = "agency=ubnd-phuong-chieng-an&from=2026-04-01&to=2026-04-30"


def april_scenario() -> dict[str, int]:
    """Five dossiers received at Phường Chiềng An on 6-8 April 2026, by name → id."""
    agency = db.session.scalar(select(Agency).where(Agency.slug == CHIENG_AN))
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.003677"))  # 1 WD, free
    d = dict(agency=agency, procedure=procedure, due=date(2026, 4, 9))
    made = {
        # At the counter, still being processed: received, not online.
        "counter": add_dossier(**d, number=41, channel="counter", received=at(4, 6), status=4),
        # Online, no result yet: counts (no paper result to lack an e-result).
        "open": add_dossier(
            **d, number=42, channel="online", received=at(4, 6), status=4, files=("submitted",)
        ),
        # Online, result ready with its electronic result file: counts.
        "e_result": add_dossier(
            **d,
            number=43,
            channel="online",
            received=at(4, 7),
            status=9,
            finished=at(4, 8),
            files=("submitted", "result"),
        ),
        # Online, result returned on paper only: does not count.
        "paper_returned": add_dossier(
            **d,
            number=44,
            channel="online",
            received=at(4, 7),
            status=10,
            finished=at(4, 8),
            returned=at(4, 9),
            files=("submitted",),
        ),
        # Online, result ready on paper only: does not count.
        "paper_ready": add_dossier(
            **d,
            number=45,
            channel="online",
            received=at(4, 8),
            status=9,
            finished=at(4, 9),
            files=("submitted",),
        ),
    }
    return {name: dossier.id for name, dossier in made.items()}


# Received 5; sent online 4 (the old figure: 4/5 = 80.0%); of those, 3.3 counts "open" and "e_result" = 2
# → 2/5 = 40.0%, below 3.3's 50% threshold: 0.4 × 6 / 0.5 = 4.80 points of 6.
SHARE = "40.0%"


def test_the_figure_and_indicator_3_3_show_the_same_share(app, client, login):
    april_scenario()
    login("admin")
    values = page(client, APRIL)
    assert values["received"] == "5"
    shown = (values["online_submission_share"], values["3.3"], values["3.3-points"])
    assert shown == (SHARE, SHARE, "4.80 / 6")


def test_the_list_behind_the_figure_holds_the_dossiers_3_3_counts(app):
    ids = april_scenario()
    agency = db.session.scalar(select(Agency).where(Agency.slug == CHIENG_AN))
    found = drilldown.items(
        "online_submission_share",
        dashboard.Scope(agency),
        dashboard.Period(date(2026, 4, 1), date(2026, 4, 30)),
    )
    assert (set(found.ids), found.of) == ({ids["open"], ids["e_result"]}, 5)


def test_the_domain_has_one_online_share():
    facts = DossierFacts(received=5, online_qualifying=2)
    line = next(line for line in score(facts, FeedbackFacts(), CatalogFacts()).lines if line.id == "3.3")
    assert figures(facts, FeedbackFacts()).online_submission_share == line.rate == Fraction(2, 5)
