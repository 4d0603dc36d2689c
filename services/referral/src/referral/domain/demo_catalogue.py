"""The two fictional demo partners of docs/contract.md §4, seeded into `make up`'s catalogue."""

from __future__ import annotations

from datetime import date

from referral.domain.catalogue import FeeSheet, Partner, Product, Rule

_ADULT = Rule("min_age", 17)
_WORKER_OR_BUSINESS = Rule("client_kind", ["worker", "business"])

BANK_NUSANTARA = Partner(
    code="bank-nusantara",
    name="Bank Nusantara (fiktif)",
    kind="bank",
    regulator="OJK",
    licence_type="commercial bank",
    licence_number="KEP-DEMO-001/OJK/2020",
    licence_status="active",
    licence_verified_on=date(2026, 11, 1),
    products=(
        Product(
            "savings-basic",
            "bank-nusantara",
            "Tabungan dasar",
            "savings",
            FeeSheet("2026-01", {"opening": 0, "monthly": 0}, {"balance": 20_000_000}),
            (_WORKER_OR_BUSINESS, _ADULT),
        ),
        Product(
            "payroll-account",
            "bank-nusantara",
            "Rekening gaji digital",
            "payroll",
            FeeSheet("2026-01", {"opening": 0, "monthly": 0, "transfer_out": 2_500}),
            (Rule("client_kind", ["worker"]), _ADULT),
        ),
        Product(
            "kur-mikro",
            "bank-nusantara",
            "KUR Mikro",
            "credit",
            FeeSheet(
                "2026-01",
                {"provision": 0, "admin": 0},
                {"loan": 100_000_000},
                "KUR Mikro 6 % per year, effective",
            ),
            (Rule("client_kind", ["business"]), _ADULT, Rule("nib_required")),
        ),
    ),
)

DOMPET_RAKYAT = Partner(
    code="dompet-rakyat",
    name="Dompet Rakyat (fiktif)",
    kind="e-money",
    regulator="BI",
    licence_type="e-money issuer",
    licence_number="BI-DEMO-EM-002",
    licence_status="active",
    licence_verified_on=date(2026, 11, 1),
    products=(
        Product(
            "ewallet-account",
            "dompet-rakyat",
            "Dompet digital",
            "ewallet",
            FeeSheet("2026-01", {"opening": 0, "top_up_bank": 1_000}, {"balance": 20_000_000}),
            (_WORKER_OR_BUSINESS, _ADULT),
        ),
        Product(
            "qris-merchant",
            "dompet-rakyat",
            "QRIS untuk UMKM",
            "qris",
            FeeSheet("2026-01", {"mdr_percent_x100": 30}, {}),  # MDR 0.3 % for micro merchants
            (Rule("client_kind", ["business"]), _ADULT, Rule("nib_required")),
        ),
    ),
)

DEMO_PARTNERS = (BANK_NUSANTARA, DOMPET_RAKYAT)
