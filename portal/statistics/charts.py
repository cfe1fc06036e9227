"""Geometry of the dashboard's inline SVG charts (no JavaScript, nothing from another origin), in percent
of the chart's width and pixels of its height."""

from __future__ import annotations

from .view import View

BAR_LEFT, BAR_WIDTH, ROW_HEIGHT = 14.0, 68.0, 30


def indicator_chart(view: View) -> dict:
    bars = []
    for index, row in enumerate(line for _group, _label, lines, _total in view.indicators for line in lines):
        rate = row.value.number
        threshold = row.threshold.number if row.threshold else None
        fill = min(float(rate), 100.0) if rate is not None else 0.0
        mark = None if threshold is None else round(BAR_LEFT + BAR_WIDTH * float(threshold) / 100, 2)
        bars.append(
            {
                "row": row,
                "y": 8 + index * ROW_HEIGHT,
                "width": round(BAR_WIDTH * fill / 100, 2),
                "threshold_x": mark,
                "met": row.met,
            }
        )
    height = 8 + len(bars) * ROW_HEIGHT + 22
    ticks = [{"x": round(BAR_LEFT + BAR_WIDTH * share / 100, 2), "label": share} for share in (0, 50, 100)]
    return {
        "bars": bars,
        "height": height,
        "left": BAR_LEFT,
        "span": BAR_WIDTH,
        "ticks": ticks,
        "axis_y": height - 22,
    }


def received_chart(view: View) -> dict:
    rows = view.series
    top = max((int(row.value.number or 0) for row in rows), default=0)
    scale = max(top, 1)
    slot = 100 / max(len(rows), 1)
    plot_top, plot_height = 22, 120
    bars = []
    for index, row in enumerate(rows):
        height = round(plot_height * int(row.value.number or 0) / scale, 2)
        bars.append(
            {
                "row": row,
                "x": round(index * slot + slot * 0.15, 3),
                "width": round(slot * 0.7, 3),
                "y": round(plot_top + plot_height - height, 2),
                "height": height,
            }
        )
    return {
        "bars": bars,
        "top": top,
        "plot_top": plot_top,
        "baseline": plot_top + plot_height,
        "height": plot_top + plot_height + 24,
        "first": rows[0].label if rows else "",
        "last": rows[-1].label if rows else "",
    }
