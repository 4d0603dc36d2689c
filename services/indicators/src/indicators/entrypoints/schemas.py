"""The ministry's answer as a schema, for the OpenAPI document and the tests that hold the
answer to it.

The answer itself is built in the domain (`domain/report.py`) and extended by the service layer
(erasure and follow-up shares); routes return it as built. The schema only describes it: a
test validates real answers against it with unknown keys forbidden, so neither can drift.
`None` is a withheld cell (docs/indicators.md).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Count = int | None
Share = float | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClientsRegistered(_Strict):
    total: Count
    by_kind: dict[str, Count]
    by_sex: dict[str, Count]
    by_age_band: dict[str, Count]
    with_disability: Count


class Referrals(_Strict):
    sent: Count
    by_partner_type: dict[str, Count]
    by_product: dict[str, Count]
    by_state: dict[str, Count]
    conversion: Share = Field(description="completed ÷ sent")
    median_working_days_to_outcome: float | None
    conversion_by_partner_type: dict[str, Share] = Field(
        description="in the answer's total only, for every type or none; areas: all null"
    )
    median_working_days_to_acknowledge_by_partner_type: dict[str, float | None]


class Trainings(_Strict):
    completed: Count
    mean_knowledge_gain: float | None


class Area(_Strict):
    region_code: str = Field(description="Kemendagri code; `ID` for the whole country")
    level: Literal["national", "province", "regency"]
    clients_registered: ClientsRegistered
    referrals: Referrals
    accounts_opened_by_women: Count
    trainings: Trainings
    erasures_confirmed_in_time: dict[str, Share] = Field(description="by partner type")
    accounts_in_own_name_at_30_days: dict[str, Share] = Field(description="by sex")
    accounts_in_use_at_90_days: dict[str, Share] = Field(description="by sex")


class Indicators(_Strict):
    period: str = Field(examples=["2026-11"])
    region: str | None = Field(description="the area asked for; null: the whole country")
    min_cell: int = Field(description="the smallest number of people a printed cell describes")
    total: Area
    areas: list[Area]


# A real answer (a province with one regency): the 2 clients aged 65+ are withheld, and with
# them the 16 aged 45-54, or 128 minus the other bands would give the 2 away.
_EXAMPLE_AREA: dict[str, Any] = {
    "region_code": "3273",
    "level": "regency",
    "clients_registered": {
        "total": 128,
        "by_kind": {"worker": 98, "business": 30},
        "by_sex": {"F": 80, "M": 48},
        "by_age_band": {
            "under-15": 0,
            "15-24": 21,
            "25-34": 35,
            "35-44": 38,
            "45-54": None,
            "55-64": 16,
            "65+": None,
        },
        "with_disability": 6,
    },
    "referrals": {
        "sent": 64,
        "by_partner_type": {"bank": 41, "e-money": 23},
        "by_product": {"ewallet-account": 23, "kur-mikro": 15, "savings-basic": 26},
        "by_state": {
            "sent": 12,
            "acknowledged": None,
            "completed": 35,
            "declined": 6,
            "withdrawn": None,
            "expired": None,
        },
        "conversion": 0.5469,
        "median_working_days_to_outcome": 3.0,
        "conversion_by_partner_type": {"bank": None, "e-money": None},
        "median_working_days_to_acknowledge_by_partner_type": {"bank": 1.0, "e-money": None},
    },
    "accounts_opened_by_women": 20,
    "trainings": {"completed": 40, "mean_knowledge_gain": 26.38},
    "erasures_confirmed_in_time": {"bank": None, "e-money": None},
    "accounts_in_own_name_at_30_days": {"F": 0.8889, "M": None},
    "accounts_in_use_at_90_days": {"F": 0.6667, "M": 0.5},
}
_EXAMPLE_TOTAL: dict[str, Any] = _EXAMPLE_AREA | {
    "region_code": "32",
    "level": "province",
    "referrals": _EXAMPLE_AREA["referrals"]
    | {"conversion_by_partner_type": {"bank": 0.5854, "e-money": 0.4783}},
}
EXAMPLE: dict[str, Any] = {
    "period": "2026-11",
    "region": "32",
    "min_cell": 5,
    "total": _EXAMPLE_TOTAL,
    "areas": [_EXAMPLE_AREA],
}
