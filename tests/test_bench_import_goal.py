"""bench/run.py's bulk import row is marked against the city-scale issue's two goals."""

from bench.import_measure import import_goal


def test_an_import_at_42_620_rows_s_and_2_5_times_a_bare_copy_meets_both_goals():
    assert import_goal({"rows_per_s": 42_620, "ratio": 2.5}) == "≥ 29,000 rows/s ✓; ratio ≤ 3 ✓"


def test_each_goal_is_marked_on_its_own():
    assert import_goal({"rows_per_s": 28_999, "ratio": 3.0}) == "≥ 29,000 rows/s ✗; ratio ≤ 3 ✓"
    assert import_goal({"rows_per_s": 29_000, "ratio": 3.01}) == "≥ 29,000 rows/s ✓; ratio ≤ 3 ✗"
