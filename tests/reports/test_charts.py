"""Server-drawn SVG charts: well-formed, accessible, labelled, readable without colour."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from django.utils.safestring import SafeString

from reports.charts import bar_chart, format_number, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup):
    return ET.fromstring(str(markup))


def _texts(root, cls=None):
    return [
        "".join(el.itertext())
        for el in root.iter(f"{SVG}text")
        if cls is None or el.get("class") == cls
    ]


def test_a_bar_chart_has_one_bar_and_one_value_label_per_value():
    items = [("Chưa triển khai", 3), ("Đang thực hiện", 12), ("Hoàn thành", 2875), ("Chậm", 0)]

    root = _parse(bar_chart(items, title="Tiến độ nội dung phối hợp"))

    bars = [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-bar"]
    assert len(bars) == len(items)
    assert len(list(root.iter(f"{SVG}rect"))) >= len(items)
    assert _texts(root, "chart-value") == ["3", "12", "2.875", "0"]
    labels = _texts(root)
    for label, _value in items:
        assert label in labels


def test_a_chart_is_an_image_with_a_title_and_a_description():
    root = _parse(bar_chart([("Hoàn thành", 4)], title="Tiến độ", chart_id="tien-do"))

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "tien-do-title tien-do-desc"
    assert root.find(f"{SVG}title").text == "Tiến độ"
    assert root.find(f"{SVG}title").get("id") == "tien-do-title"
    assert root.find(f"{SVG}desc").text == "Hoàn thành: 4"


def test_bars_differ_by_hatch_pattern_not_only_by_colour():
    root = _parse(bar_chart([("A", 1), ("B", 2), ("C", 3)], title="Mẫu", chart_id="m"))

    patterns = [p.get("id") for p in root.iter(f"{SVG}pattern")]
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("fill", "").startswith("url")]
    assert len(set(patterns)) == 3
    assert fills == [f"url(#{p})" for p in patterns]


def test_text_is_escaped_and_vietnamese_kept_intact():
    title = "Số “Dân vận khéo” <2023> & đối thoại"

    markup = bar_chart([("<script>“Khéo” & đ", 1)], title=title)
    root = _parse(markup)

    assert isinstance(markup, SafeString)
    assert "<script>" not in str(markup)
    assert root.find(f"{SVG}title").text == title
    assert "<script>“Khéo” & đ" in _texts(root)


def test_long_labels_are_shortened_on_the_bar_but_kept_whole_in_its_tooltip():
    label = "Xã, phường, thị trấn triển khai xây dựng mô hình “Chính quyền thân thiện”"

    root = _parse(bar_chart([(label, 166)], title="Mô hình"))

    bar = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-bar")
    assert bar.find(f"{SVG}title").text == f"{label}: 166"
    assert any(t.endswith("…") and len(t) <= 19 for t in _texts(root))


def test_an_empty_or_all_zero_bar_chart_still_draws():
    assert _parse(bar_chart([], title="Trống")).get("role") == "img"
    root = _parse(bar_chart([("A", 0), ("B", None)], title="Không"))
    assert _texts(root, "chart-value") == ["0", "0"]


def test_a_line_chart_marks_every_point_with_its_value_and_the_years_below():
    years = [2021, 2022, 2023, 2024]
    values = [Decimal("2875.00"), Decimal("520"), None, Decimal("1743")]

    root = _parse(line_chart(years, [("Số cuộc đối thoại", values)], title="Đối thoại"))

    assert _texts(root, "chart-category") == ["2021", "2022", "2023", "2024"]
    assert _texts(root, "chart-value") == ["2.875", "520", "1.743"]
    # The missing year breaks the line: 2021–2022, then 2024 alone (a marker only).
    polylines = list(root.iter(f"{SVG}polyline"))
    assert len(polylines) == 1
    assert len(polylines[0].get("points").split()) == 2


def test_line_series_differ_by_dash_and_marker_and_have_a_legend():
    root = _parse(
        line_chart(
            [2022, 2023],
            [("Đăng ký", [10, 20]), ("Hiệu quả", [5, 15])],
            title="Mô hình",
        )
    )

    dashes = [p.get("stroke-dasharray") for p in root.iter(f"{SVG}polyline")]
    assert len(set(dashes)) == 2
    assert len(list(root.iter(f"{SVG}circle"))) == 2 + 1  # two points and the legend
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("width") == "8"]) == 2 + 1
    assert {"Đăng ký", "Hiệu quả"} <= set(_texts(root))


def test_a_percentage_chart_writes_values_in_the_office_format():
    root = _parse(
        line_chart(
            [2022],
            [("Tỷ lệ", [Decimal("83.00")])],
            title="Chính quyền thân thiện",
            value_format=lambda v: f"{format_number(v, 1)}%",
        )
    )

    assert _texts(root, "chart-value") == ["83,0%"]


def test_numbers_use_dots_for_thousands_and_commas_for_decimals():
    assert format_number(2875) == "2.875"
    assert format_number(Decimal("2875.00")) == "2.875"
    assert format_number(Decimal("83.04"), 1) == "83,0"
    assert format_number(Decimal("1234567.5")) == "1.234.567,5"
    assert format_number(None) == ""
