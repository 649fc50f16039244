"""The server-drawn SVG bar chart: readable axes and escaped labels."""

from __future__ import annotations

import re

import pytest

from advocacy.services.charts import Bar, bar_chart


def axis_labels(svg: str) -> list[int]:
    return [int(text.replace(",", "")) for text in re.findall(r'class="chart-axis"[^>]*>([^<]+)<', svg)]


@pytest.mark.parametrize("largest", [0, 1, 2, 3, 5, 7, 11, 99, 101, 12345])
def test_axis_has_three_distinct_whole_labels_reaching_the_largest_bar(largest):
    svg = bar_chart([Bar("a", largest, "a"), Bar("b", largest // 2, "b")], "T", "D", "c")
    bottom, middle, top = axis_labels(svg)
    assert bottom == 0 < middle < top and middle * 2 == top
    assert top >= largest


def test_labels_and_tooltips_are_escaped():
    svg = bar_chart([Bar("<script>", 3, 'x" onload="alert(1)')], "<b>t</b>", "d & e", "c")
    assert "<script>" not in svg and 'onload="' not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
