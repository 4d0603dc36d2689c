"""The documented example is a valid answer, and the schema refuses what an answer never has."""

from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError

from indicators.entrypoints.schemas import EXAMPLE, Indicators


def test_the_documented_example_is_a_valid_answer() -> None:
    answer = Indicators.model_validate(EXAMPLE)
    assert answer.total.level == "province"
    assert answer.total.referrals.conversion_by_partner_type == {"bank": 0.5854, "e-money": 0.4783}


def test_a_key_the_answer_never_has_is_refused() -> None:
    wrong = copy.deepcopy(EXAMPLE)
    wrong["total"]["income"] = 1
    with pytest.raises(ValidationError):
        Indicators.model_validate(wrong)
