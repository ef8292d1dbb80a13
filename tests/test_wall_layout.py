"""The wall screen's pure parts: map labels, the legend's classes, the badge, the rotation."""

from datetime import UTC, datetime

from geo.maps import SUPPRESSED_COLOUR
from geo.wall_map import legend_html, short_name
from ui.wall_layout import badge_html, rotation_index


def test_map_labels_drop_the_kind_of_unit():
    assert [short_name(n) for n in ("Quận 1", "Quận Gò Vấp", "Thành phố Thủ Đức")] == [
        "Q.1", "Gò Vấp", "Thủ Đức",
    ]  # fmt: skip
    assert [short_name(n) for n in ("Huyện Cần Giờ", "Phường 15", "Phường Bến Nghé")] == [
        "Cần Giờ", "P.15", "Bến Nghé",
    ]  # fmt: skip


def test_the_legend_has_a_below_n_class_only_when_an_area_is_suppressed():
    shown = legend_html("Lượt khai báo", [10.0, 20.0], ["#fb6a4a", "#a50f15"])
    assert "&lt;5" not in shown and "≤ 10" in shown and "≤ 20" in shown
    withheld = legend_html("Lượt khai báo", [10.0], ["#a50f15"], suppressed_below=5)
    assert f"background:{SUPPRESSED_COLOUR}" in withheld and "&lt;5" in withheld


def test_the_legend_escapes_its_texts():
    assert "<script>" not in legend_html("<script>x</script>", [], [], note="<b>")


def test_every_badge_is_new_html_so_its_disconnection_clock_starts_again():
    at = datetime(2025, 3, 1, 3, 0, 0, tzinfo=UTC)
    first = badge_html("live", "TRỰC TIẾP · 10:00", "MẤT KẾT NỐI", 60, at)
    again = badge_html("live", "TRỰC TIẾP · 10:00", "MẤT KẾT NỐI", 60, at.replace(second=30))
    assert first != again
    assert "animation-delay:120s" in first  # two refresh intervals


def test_rotation_moves_to_the_next_district_each_refresh_and_wraps():
    start = datetime(2025, 3, 1, 3, 0, 0, tzinfo=UTC)
    steps = [rotation_index(start.replace(second=s), 10, 22) for s in (0, 9, 10, 20)]
    assert steps[0] == steps[1] and steps[2] == (steps[0] + 1) % 22
    assert steps[3] == (steps[0] + 2) % 22
