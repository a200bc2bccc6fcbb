"""Tests of geo.plan: stored plans from before issue 12 still load; the selection sets the baseline."""

from dataclasses import replace
from datetime import date

import pytest

from geo import settings
from geo._errors import ConfigError
from geo.plan import Plan

PLAN = Plan(name="Thử", start=date(2023, 5, 26), targets=("a", "b"))


def test_a_plan_stored_before_issue_12_loads_with_the_defaults():
    stored = {"name": "Thử", "start": "2023-05-26", "targets": ["a"], "before_months": 12, "after_months": 12}
    plan = Plan.from_dict(stored)
    assert (plan.selection, plan.primary) == ("", "all")
    assert plan.baseline_months == 12


def test_selection_and_primary_round_trip_and_set_the_baseline():
    plan = replace(PLAN, selection="counts", primary="ma_tuy")
    assert Plan.from_dict(plan.to_dict()) == plan
    assert plan.baseline_months == settings.SELECTED_BASELINE_MONTHS
    assert replace(plan, before_months=36).baseline_months == 36
    assert replace(plan, selection="other").baseline_months == 12


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"selection": "lucky"}, "Cách chọn"),
        ({"primary": ""}, "Chỉ tiêu chính"),
        ({"primary": "trom"}, "«trom» không hợp lệ"),
    ],
)
def test_bad_evaluation_settings_are_refused_in_words(changes, words):
    with pytest.raises(ConfigError, match=words):
        replace(PLAN, **changes).validate()
