"""Server-drawn SVG charts: structure, escaping, accessibility, axes and numbers."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from market.stats.charts import (
    bar_chart,
    format_compact,
    nice_ticks,
    sparkline,
    time_series_chart,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    assert hasattr(markup, "__html__")  # safe to put in a template as it is
    return ET.fromstring(str(markup))


def texts(root, group):
    return [t.text for t in root.findall(f"svg:g[@class='{group}']/svg:text", NS)]


def bars(root):
    return root.findall("svg:g[@class='chart-bars']/svg:rect", NS)


def test_a_bar_chart_draws_one_labelled_bar_per_value():
    root = parse(
        bar_chart(
            ["变压器", "开关柜", "电线电缆"],
            [12, 5, 0],
            chart_id="by-family",
            title="按类别发布",
        )
    )
    assert len(bars(root)) == 3
    assert texts(root, "chart-labels") == ["变压器", "开关柜", "电线电缆"]
    assert texts(root, "chart-values") == ["12", "5", "0"]
    widths = [float(rect.get("width")) for rect in bars(root)]
    assert widths[0] > widths[1] > widths[2] == 0
    assert widths[0] / widths[1] == pytest.approx(12 / 5, rel=0.01)


def test_a_chart_is_an_image_labelled_by_its_title_and_description():
    root = parse(bar_chart(["a"], [1], chart_id="c1", title="Posts", desc="One post"))
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"svg:title[@id='{title_id}']", NS).text == "Posts"
    assert root.find(f"svg:desc[@id='{desc_id}']", NS).text == "One post"


def test_the_description_lists_the_data_by_default():
    root = parse(bar_chart(["甲", "乙"], [3, 1250000], chart_id="c2", title="t"))
    assert root.find("svg:desc", NS).text == "甲: 3; 乙: 125万"


def test_labels_and_titles_are_escaped():
    evil = "<script>alert(1)</script>"
    markup = bar_chart([evil, "A & B"], [1, 2], chart_id="c3", title=f"T {evil}")
    assert "<script" not in str(markup)
    root = parse(markup)
    assert texts(root, "chart-labels") == [evil, "A & B"]
    assert root.find("svg:title", NS).text == f"T {evil}"
    assert root.find("svg:g[@class='chart-bars']/svg:rect/svg:title", NS).text == (
        f"{evil}: 1"
    )


@pytest.mark.parametrize(
    "markup",
    [
        lambda: bar_chart(["a", "b"], [1, 2], chart_id="x", title="t"),
        lambda: bar_chart([], [], chart_id="x", title="t"),
        lambda: time_series_chart(
            ["2025-01"], [("a", [1]), ("b", [2])], chart_id="x", title="t"
        ),
        lambda: time_series_chart(
            ["2025-01"], [("a", [1])], chart_id="x", title="t", kind="line"
        ),
        lambda: sparkline([1, 2], chart_id="x", title="t"),
    ],
    ids=["bar", "empty", "columns", "line", "sparkline"],
)
def test_charts_carry_no_script_and_no_style_attribute_for_the_csp(markup):
    root = parse(markup())
    for element in root.iter():
        assert element.tag != f"{SVG}script"
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)


def test_an_empty_bar_chart_says_so():
    root = parse(bar_chart([], [], chart_id="c4", title="t", empty_text="暂无数据"))
    assert bars(root) == []
    assert root.find("svg:text[@class='chart-empty']", NS).text == "暂无数据"
    assert root.find("svg:desc", NS).text == "暂无数据"


def test_the_empty_message_has_a_default():
    root = parse(time_series_chart([], [], chart_id="c5", title="t"))
    assert root.find("svg:text[@class='chart-empty']", NS).text


def test_all_zero_values_draw_flat_bars_on_a_0_to_1_axis():
    root = parse(bar_chart(["a", "b"], [0, 0], chart_id="c6", title="t"))
    assert [rect.get("width") for rect in bars(root)] == ["0", "0"]
    assert texts(root, "chart-ticks") == ["0", "1"]


def test_huge_amounts_get_round_ticks_in_wan_and_yi():
    root = parse(
        bar_chart(["a", "b"], [Decimal("12345678901.50"), 1], chart_id="c7", title="t")
    )
    assert texts(root, "chart-ticks") == ["0", "25亿", "50亿", "75亿", "100亿", "125亿"]
    assert texts(root, "chart-values") == ["123亿", "1"]
    root = parse(bar_chart(["a"], [12345678], chart_id="c8", title="t", locale="en"))
    assert texts(root, "chart-ticks") == ["0", "2.5M", "5M", "7.5M", "10M", "12.5M"]


def test_a_value_formatter_can_be_given():
    root = parse(
        bar_chart(
            ["a"],
            [1500],
            chart_id="c9",
            title="t",
            format_value=lambda value: f"¥{value:,}",
        )
    )
    assert texts(root, "chart-values") == ["¥1,500"]


def test_long_labels_are_cut_but_kept_whole_in_the_tooltip():
    label = "非常长的设备类别名称" * 6
    root = parse(bar_chart([label], [1], chart_id="c10", title="t"))
    shown = texts(root, "chart-labels")[0]
    assert shown.endswith("…") and len(shown) < len(label)
    assert bars(root)[0].find("svg:title", NS).text == f"{label}: 1"


def test_the_same_data_gives_the_same_svg():
    def draw():
        return time_series_chart(
            ["2025-01", "2025-02"],
            [("a", [1, 2]), ("b", [0, 3])],
            chart_id="c11",
            title="t",
        )

    assert str(draw()) == str(draw())


def test_two_series_get_grouped_columns_and_a_legend():
    months = ["2025-01", "2025-02", "2025-03"]
    root = parse(
        time_series_chart(
            months,
            [("发布", [4, 2, 7]), ("成交", [1, 0, 3])],
            chart_id="c12",
            title="t",
        )
    )
    rects = bars(root)
    assert len(rects) == 6
    assert [r.get("class") for r in rects[:1] + rects[3:4]] == [
        "chart-bar chart-series-1",
        "chart-bar chart-series-2",
    ]
    assert texts(root, "chart-legend") == ["发布", "成交"]
    assert texts(root, "chart-labels") == months
    assert rects[2].find("svg:title", NS).text == "发布 2025-03: 7"


def test_one_series_has_no_legend():
    root = parse(
        time_series_chart(["2025-01"], [("a", [3])], chart_id="c13", title="t")
    )
    assert root.find("svg:g[@class='chart-legend']", NS) is None
    assert len(bars(root)) == 1


def test_a_line_chart_has_one_point_per_period():
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    root = parse(
        time_series_chart(
            months, [("a", list(range(12)))], chart_id="c14", title="t", kind="line"
        )
    )
    line = root.find("svg:g[@class='chart-line chart-series-1']", NS)
    assert len(line.find("svg:polyline", NS).get("points").split()) == 12
    assert len(line.findall("svg:circle", NS)) == 12


def test_many_periods_thin_their_labels_but_keep_the_latest():
    months = [f"{2023 + m // 12}-{m % 12 + 1:02d}" for m in range(36)]
    root = parse(
        time_series_chart(months, [("a", [1] * 36)], chart_id="c15", title="t")
    )
    shown = texts(root, "chart-labels")
    assert 3 <= len(shown) < 36
    assert shown[-1] == "2025-12"


def test_a_sparkline_draws_every_value_and_marks_the_last():
    root = parse(sparkline([3, 0, 5, 2], chart_id="c16", title="近四月"))
    line = root.find("svg:g/svg:polyline", NS)
    assert len(line.get("points").split()) == 4
    assert len(root.findall("svg:g/svg:circle", NS)) == 1
    assert root.find("svg:desc", NS).text == "3, 0, 5, 2"


def test_a_sparkline_of_one_or_no_values_still_renders():
    assert (
        len(
            parse(sparkline([7], chart_id="c17", title="t")).findall(
                ".//svg:circle", NS
            )
        )
        == 1
    )
    assert (
        parse(sparkline([], chart_id="c18", title="t")).find(".//svg:polyline", NS)
        is None
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: bar_chart(["a"], [1, 2], chart_id="x", title="t"),
        lambda: bar_chart(["a"], [-1], chart_id="x", title="t"),
        lambda: bar_chart(["a"], [float("inf")], chart_id="x", title="t"),
        lambda: bar_chart(["a"], [1], chart_id="Bad id", title="t"),
        lambda: time_series_chart(["m"], [("a", [1, 2])], chart_id="x", title="t"),
        lambda: time_series_chart(
            ["m"], [("a", [1])], chart_id="x", title="t", kind="pie"
        ),
    ],
    ids=["lengths", "negative", "infinite", "id", "series-length", "kind"],
)
def test_bad_input_is_refused(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize(
    ("maximum", "integer", "ticks"),
    [
        (0, True, ["0", "1"]),
        (1, True, ["0", "1"]),
        (3, True, ["0", "1", "2", "3"]),
        (7, True, ["0", "2", "4", "6", "8"]),
        (11, True, ["0", "5", "10", "15"]),
        (100, True, ["0", "20", "40", "60", "80", "100"]),
        (0.7, False, ["0.0", "0.2", "0.4", "0.6", "0.8"]),
        (
            12345678,
            True,
            ["0", "2500000", "5000000", "7500000", "10000000", "12500000"],
        ),
    ],
)
def test_nice_ticks_are_round_and_reach_the_maximum(maximum, integer, ticks):
    assert [str(t) for t in nice_ticks(maximum, integer=integer)] == ticks


@pytest.mark.parametrize(
    ("value", "locale", "text"),
    [
        (0, "zh", "0"),
        (9500, "zh", "9,500"),
        (Decimal("1234.567"), "zh", "1,234.57"),
        (12000, "zh", "1.2万"),
        (12345678, "zh", "1,235万"),
        (250000000, "zh_CN", "2.5亿"),
        (9500, "en", "9,500"),
        (12500, "en", "12.5K"),
        (12345678, "en", "12.3M"),
        (3 * 10**9, "en", "3B"),
    ],
)
def test_format_compact(value, locale, text):
    assert format_compact(value, locale) == text
