"""Numbers and dates read as each language writes them (issue 14 part 3)."""

from datetime import date

from i18n.numbers import (
    day_month,
    full_date,
    percent,
    plotly_separators,
    whole_number,
)


def test_vietnamese_groups_thousands_with_dots_and_marks_decimals_with_a_comma() -> None:
    assert whole_number(6272) == "6.272"
    assert whole_number(1_234_567.4) == "1.234.567"
    assert percent(0.0088, digits=2) == "0,88 %"
    assert plotly_separators() == ",."


def test_english_keeps_its_own_marks() -> None:
    assert whole_number(6272, "en") == "6,272"
    assert percent(0.0088, 2, "en") == "0.88%"
    assert plotly_separators("en") == ".,"


def test_a_missing_value_is_blank_not_nan() -> None:
    assert whole_number(None) == ""
    assert whole_number(float("nan")) == ""
    assert percent(None) == ""


def test_chart_days_name_the_month_in_the_language_and_exports_carry_the_year() -> None:
    assert day_month(date(2026, 11, 26)) == "26 thg 11"
    assert day_month(date(2026, 11, 26), "en") == "26 Nov"
    assert full_date(date(2026, 11, 26)) == "26/11/2026"
