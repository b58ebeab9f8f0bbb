"""The server-rendered SVG histogram: well-formed, one bar per bin with its tooltip, axes
labelled, and every text escaped. Pure computation: no database."""

import xml.etree.ElementTree as ET

import pytest

from results.engine import Histogram, histogram_svg

SVG = "{http://www.w3.org/2000/svg}"


def chart(counts=(0, 1, 2, 4, 3, 0, 0, 0, 0, 1), **labels):
    svg = histogram_svg(
        Histogram(tuple(counts)),
        title=labels.get("title", "Totals in Mobility"),
        x_label=labels.get("x_label", "Total (0–100)"),
        y_label=labels.get("y_label", "Reviews"),
        **({"tooltip": labels["tooltip"]} if "tooltip" in labels else {}),
    )
    return svg, ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it


def test_the_chart_is_an_accessible_svg_image_with_title_and_axis_labels():
    svg, root = chart()

    assert root.tag == f"{SVG}svg"
    assert (root.get("role"), root.get("aria-label")) == ("img", "Totals in Mobility")
    assert root.find(f"{SVG}title").text == "Totals in Mobility"
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "axis-label"]
    assert labels == ["Total (0–100)", "Reviews"]
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
    assert ticks == ["0", "50", "100", "0", "4"]
    assert "<script" not in svg


def test_each_bin_is_a_bar_with_its_count_in_a_tooltip_and_a_height_to_scale():
    _svg, root = chart(tooltip="{low}–{high} points: {count} reviews")

    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "bar"]
    assert [bar.find(f"{SVG}title").text for bar in bars[:4]] == [
        "0–10 points: 0 reviews",
        "10–20 points: 1 reviews",
        "20–30 points: 2 reviews",
        "30–40 points: 4 reviews",
    ]
    heights = [float(bar.get("height")) for bar in bars]
    # Plot height 200 − 28 − 40 = 132 for the highest count (4).
    assert heights[:5] == [0.0, 33.0, 66.0, 132.0, 99.0]
    assert [int(bar.get("data-count")) for bar in bars] == [0, 1, 2, 4, 3, 0, 0, 0, 0, 1]
    xs = [float(bar.get("x")) for bar in bars]
    assert xs == sorted(xs) and len(set(xs)) == 10


def test_every_text_in_the_chart_is_escaped():
    svg, root = chart(
        title='Jury <script>alert("x")</script> & co',
        y_label="Reviews <b>",
        tooltip="{low}–{high}: {count} <i>",
    )

    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    assert root.get("aria-label") == 'Jury <script>alert("x")</script> & co'
    assert root.find(f"{SVG}title").text == 'Jury <script>alert("x")</script> & co'


def test_an_empty_histogram_draws_no_bars_above_the_axis():
    _svg, root = chart(counts=(0,) * 10)

    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "bar"]
    assert [float(bar.get("height")) for bar in bars] == [0.0] * 10
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
    assert ticks[-2:] == ["0", "1"]


def test_a_chart_too_small_for_its_axes_is_refused():
    with pytest.raises(ValueError):
        histogram_svg(Histogram((1,) * 10), title="t", x_label="x", y_label="y", width=40)
