"""Tests of geo.evaluation.registration: the first save registers, later saves are kept as changes."""

from datetime import datetime

from geo.evaluation.registration import registration

PLAN = {"name": "A", "start": "2023-05-26", "targets": ["a", "b"], "before_months": 12, "after_months": 12}


def test_changes_to_the_evaluation_are_kept_and_the_name_is_not_one():
    saves = [
        (datetime(2023, 5, 1, 9), "lan", PLAN),
        (datetime(2023, 5, 2, 9), "lan", PLAN | {"name": "B", "note": "x"}),  # not an evaluation setting
        (datetime(2023, 5, 3, 9), "minh", PLAN | {"targets": ["a"]}),
        (
            datetime(2024, 6, 1, 9),
            "minh",
            PLAN | {"targets": ["a"], "primary": "ma_tuy", "before_months": 24},
        ),
    ]
    found = registration(saves)
    assert found is not None
    assert (found.time, found.user) == (datetime(2023, 5, 1, 9), "lan")
    assert [r.changes for r in found.revisions] == [
        {"targets": (("a", "b"), ("a",))},
        {"before_months": (12, 24), "primary": ("all", "ma_tuy")},
    ]
    assert [r.after_start for r in found.revisions] == [False, True]
    assert registration([]) is None
