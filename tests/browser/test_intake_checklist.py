"""The desk's intake checklist (dossiers/_checklist.html) at 360 and 1280 px in Chromium.

Was: the checklist's classes had no CSS, so the general rules (inputs 100% wide, labels as blocks) drew every
radio as a full-width circle with its label under it; the dot ticked for one choice sat right beside the
next choice's label, and the officer could record the wrong forms, which form 01 prints. Now every radio sits
beside its own label, on its document's row, and every choice is a 44 px tap target. Checked by the boxes
Chromium lays out, on the receive form of an online dossier and on the counter intake form.
Screenshots: tests/artifacts/screenshots/checklist-<page>-<width>.png.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_dossier_journey import sign_in
from tests.browser.test_papers import open_dossier_in_status

pytestmark = pytest.mark.browser

RECEPTIONIST = "tiepnhan@demo.sonla.vn"
VIEWPORTS = ["360x800", "1280x800"]
INTAKE_PROCEDURE = "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"

# For every document's row: the row's box, its name's box, and for each choice the radio's box and the box
# of the label's words (a Range from after the radio to the label's end).
GEOMETRY = """checklist => [...checklist.querySelectorAll('.check-row')].map(row => {
    const box = r => { const b = r.getBoundingClientRect();
        return {left: b.left, right: b.right, top: b.top, bottom: b.bottom}; };
    return {
        row: box(row),
        name: box(row.querySelector('.check-doc')),
        choices: [...row.querySelectorAll('label')].map(label => {
            const radio = label.querySelector('input[type=radio]');
            const words = document.createRange();
            words.setStartAfter(radio);
            words.setEnd(label, label.childNodes.length);
            return {text: label.textContent.trim(), radio: box(radio), words: box(words), label: box(label)};
        }),
    };
})"""


def inside(inner: dict, outer: dict, slack: float = 0.5) -> bool:
    return (
        inner["left"] >= outer["left"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner["top"] >= outer["top"] - slack
        and inner["bottom"] <= outer["bottom"] + slack
    )


def middle(box: dict) -> tuple[float, float]:
    return (box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2


def distance(point: tuple[float, float], box: dict) -> float:
    dx = max(box["left"] - point[0], 0, point[0] - box["right"])
    dy = max(box["top"] - point[1], 0, point[1] - box["bottom"])
    return (dx * dx + dy * dy) ** 0.5


def check_checklist(tab, where: str) -> None:
    checklist = tab.locator("main fieldset.checklist").first
    checklist.scroll_into_view_if_needed()
    rows = checklist.evaluate(GEOMETRY)
    assert len(rows) >= 2, f"{where}: the procedure lists its documents"
    every_words = [choice["words"] for row in rows for choice in row["choices"]]
    for number, row in enumerate(rows, 1):
        # Not handed in, original, copy, electronic.
        assert len(row["choices"]) == 4, (where, number, row["choices"])
        assert inside(row["name"], row["row"]), (where, number, row)
        for choice in row["choices"]:
            radio, words, label = choice["radio"], choice["words"], choice["label"]
            what = f"{where}, document {number}, {choice['text']!r}"
            assert inside(radio, row["row"]) and inside(words, row["row"]), f"{what}: outside its row {row}"
            assert radio["top"] >= row["name"]["bottom"] - 0.5, f"{what}: above the document's name"
            # Beside: on the line of its words, just left of them.
            _x, y = middle(radio)
            assert words["top"] <= y <= words["bottom"], f"{what}: radio {radio} not beside its words {words}"
            assert 0 <= words["left"] - radio["right"] <= 16, f"{what}: radio {radio}, words {words}"
            assert radio["right"] - radio["left"] <= 32, f"{what}: radio drawn {radio} wide"
            # Its own words are the nearest to it: a dot never reads as the neighbouring choice's.
            own = distance(middle(radio), words)
            others = [distance(middle(radio), box) for box in every_words if box != words]
            assert own < min(others), f"{what}: another choice's label is as near as its own"
            # The whole label is the tap target: 44 px tall.
            assert label["bottom"] - label["top"] >= 44 - 0.5, f"{what}: tap target {label}"
            assert inside(radio, label), f"{what}: the radio is outside its label"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_each_radio_of_the_checklist_sits_beside_its_own_label_on_its_documents_row(page, viewport):
    tab = page(viewport, "vi")
    sign_in(tab, RECEPTIONIST)
    width = viewport.split("x")[0]

    # Receiving an online dossier (status 1) on its staff page.
    open_dossier_in_status(tab, 1)
    assert tab.locator("main form[action$='/receive'] fieldset.checklist").count() == 1
    check_checklist(tab, f"receive {viewport}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.locator("main form[action$='/receive'] fieldset.checklist").screenshot(
        path=str(SCREENSHOTS / f"checklist-receive-{width}.png")
    )

    # Taking a walk-in dossier in at the counter.
    tab.goto("/staff/dossiers/intake")
    tab.locator("main #procedure").select_option(label=INTAKE_PROCEDURE)
    with tab.expect_navigation():
        tab.locator("main form button[type=submit]").click()
    check_checklist(tab, f"intake {viewport}")
    tab.locator("main fieldset.checklist").screenshot(path=str(SCREENSHOTS / f"checklist-intake-{width}.png"))
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "horizontal scrolling"
    assert not tab.problems, tab.problems
