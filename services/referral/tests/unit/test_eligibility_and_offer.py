"""Eligibility names every failed rule; the partner sees exactly the consented scope."""

from __future__ import annotations

from datetime import date

from referral.domain.demo_catalogue import BANK_NUSANTARA, DOMPET_RAKYAT
from referral.domain.eligibility import Applicant, failed_rules
from referral.domain.offer import applicant_for_partner

TODAY = date(2026, 11, 29)
ADULT_WORKER = Applicant(kind="worker", birth_date=date(1990, 6, 5), region_code="3273")


def _product(partner: object, code: str) -> object:
    product = partner.product(code)  # type: ignore[attr-defined]
    assert product is not None
    return product


def test_an_adult_worker_may_open_a_basic_savings_account() -> None:
    assert failed_rules(_product(BANK_NUSANTARA, "savings-basic"), ADULT_WORKER, TODAY) == []  # type: ignore[arg-type]


def test_every_failed_rule_is_reported_with_its_reason() -> None:
    teenager = Applicant(kind="worker", birth_date=date(2010, 1, 1), region_code="3273")
    failures = failed_rules(_product(BANK_NUSANTARA, "kur-mikro"), teenager, TODAY)  # type: ignore[arg-type]
    assert [f.rule for f in failures] == ["client_kind", "min_age", "nib_required"]
    assert "17" in failures[1].reason


def test_age_counts_the_birthday_itself() -> None:
    turning_17 = Applicant(kind="worker", birth_date=date(2009, 11, 29), region_code="3273")
    product = _product(DOMPET_RAKYAT, "ewallet-account")
    assert failed_rules(product, turning_17, TODAY) == []  # type: ignore[arg-type]
    not_yet = Applicant(kind="worker", birth_date=date(2009, 11, 30), region_code="3273")
    assert [f.rule for f in failed_rules(product, not_yet, TODAY)] == ["min_age"]  # type: ignore[arg-type]


PROFILE = {
    "full_name": "Dedi Kurniawan",
    "phone": "+6281234567890",
    "nik": "3273021204880002",
    "birth_date": "1988-04-12",
    "sex": "M",
    "business": {
        "nib": "1234567890123",
        "name": "Bengkel Dedi",
        "kbli": "45201",
        "annual_revenue_idr": 1,
    },
    "disability": True,
    "financial_profile": {"has_bank_account": False},
    "notes": "secret",
}


def test_contact_scope_gives_name_and_phone_only() -> None:
    assert applicant_for_partner("worker", PROFILE, ("contact",)) == {
        "kind": "worker",
        "full_name": "Dedi Kurniawan",
        "phone": "+6281234567890",
    }


def test_identity_scope_adds_nik_birth_date_and_sex() -> None:
    applicant = applicant_for_partner("worker", PROFILE, ("contact", "identity"))
    assert set(applicant) == {"kind", "full_name", "phone", "nik", "birth_date", "sex"}


def test_business_scope_gives_the_business_without_its_revenue() -> None:
    applicant = applicant_for_partner("business", PROFILE, ("business",))
    assert applicant == {
        "kind": "business",
        "business": {"nib": "1234567890123", "name": "Bengkel Dedi", "kbli": "45201"},
    }
    for never in ("disability", "financial_profile", "notes", "annual_revenue_idr"):
        assert never not in str(
            applicant_for_partner("business", PROFILE, ("contact", "identity", "business"))
        )


def test_changed_terms_under_the_same_fee_sheet_version_are_found() -> None:
    import dataclasses

    from referral.domain.catalogue import reused_fee_sheet_versions

    savings, payroll, kur = BANK_NUSANTARA.products
    cheaper = dataclasses.replace(
        savings, fee_sheet=dataclasses.replace(savings.fee_sheet, fees={"opening": 5_000})
    )
    renamed = dataclasses.replace(payroll, name="Rekening gaji")  # terms unchanged
    versioned = dataclasses.replace(
        kur, fee_sheet=dataclasses.replace(kur.fee_sheet, version="2027-01", fees={"admin": 1})
    )
    after = dataclasses.replace(BANK_NUSANTARA, products=(cheaper, renamed, versioned))
    assert reused_fee_sheet_versions(BANK_NUSANTARA, after) == [0]
    assert reused_fee_sheet_versions(None, after) == []  # a new partner reuses nothing
    assert reused_fee_sheet_versions(BANK_NUSANTARA, BANK_NUSANTARA) == []
