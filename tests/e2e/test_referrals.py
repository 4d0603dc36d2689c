"""Referrals end to end: the gates, the partner's topic and API, consent withdrawal, expiry."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from support import stack
from support.people import new_worker
from support.referrals import client_with_consent, expire_all_as_of, partner_body, refer

pytestmark = pytest.mark.integration

FORBIDDEN_TO_PARTNERS = ("disability", "financial_profile", "notes", "registered_by", "siti")


def _auth(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


def _offers(records: list[Any], referral_id: str, version: str = "v2") -> list[dict[str, Any]]:
    return [
        json.loads(r.value)
        for r in records
        if r.key == referral_id.encode()
        and dict(r.headers)["ce_type"] == f"jembatan.partner.referral.offered.{version}".encode()
    ]


def test_an_offer_carries_no_personal_value_and_the_partner_reads_the_contact_scope_over_https(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = client_with_consent(gateway, tokens, ["contact"])
    since = stack.topic_end_offsets("partner.bank-nusantara.referrals")
    answer = refer(gateway, tokens, client["id"])
    assert answer.status_code == 201, answer.text
    referral = answer.json()
    assert referral["state"] == "sent" and referral["options_shown"] == [
        "bank-nusantara",
        "dompet-rakyat",
    ]

    with stack.reading("partner.bank-nusantara.referrals", since) as consumer:
        records = stack.drain_until(consumer, lambda rs: bool(_offers(rs, referral["id"])))
        time.sleep(2)
        records += stack.drain_until(consumer, lambda rs: True, timeout_s=1)
    offers = _offers(records, referral["id"])
    assert len(offers) == 1
    record = next(r for r in records if r.key == referral["id"].encode())
    headers = {k: v.decode() for k, v in record.headers}
    assert (
        headers["ce_source"] == "/services/referral" and headers["ce_id"] and headers["traceparent"]
    )
    raw = record.value.decode()
    for personal in (client["_nik"], client["full_name"], client["phone"], *FORBIDDEN_TO_PARTNERS):
        assert personal not in raw
    assert offers[0]["applicant_kind"] == "worker"
    assert offers[0]["consent"]["scope"] == ["contact"]
    url = offers[0]["applicant_url"]
    assert url == f"/api/partner/referrals/{referral['id']}/applicant"

    read = gateway.get(url, headers=_auth(tokens, "bank-nusantara"))
    assert read.status_code == 200, read.text
    assert read.headers["cache-control"] == "no-store"
    assert read.json() == {
        "kind": "worker",
        "full_name": client["full_name"],
        "phone": client["phone"],
    }
    for never in FORBIDDEN_TO_PARTNERS:
        assert never not in read.text
    # Another partner, an officer: nothing.
    assert gateway.get(url, headers=_auth(tokens, "dompet-rakyat")).status_code == 404
    assert gateway.get(url, headers=_auth(tokens, "siti")).status_code == 403


def test_identity_scope_adds_nik_birth_date_and_sex_and_each_read_is_audited_as_a_reveal(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = client_with_consent(gateway, tokens, ["contact", "identity"])
    referral = refer(gateway, tokens, client["id"]).json()
    url = f"/api/partner/referrals/{referral['id']}/applicant"
    applicant = gateway.get(url, headers=_auth(tokens, "bank-nusantara")).json()
    assert applicant["nik"] == client["_nik"]
    assert applicant["birth_date"] == client["birth_date"] and applicant["sex"] == client["sex"]

    audit = gateway.get(
        "/api/client/audit", params={"client_id": client["id"]}, headers=_auth(tokens, "rina")
    ).json()["items"]
    reveals = [a for a in audit if a["purpose"] == "reveal_to_partner"]
    assert len(reveals) == 1
    assert reveals[0]["actor_username"] == "partner:bank-nusantara"
    assert reveals[0]["reference"] == f"referral:{referral['id']}"


def test_after_a_withdrawal_the_partner_reads_nothing_more(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = client_with_consent(gateway, tokens, ["contact"])
    referral = refer(gateway, tokens, client["id"]).json()
    url = f"/api/partner/referrals/{referral['id']}/applicant"
    assert gateway.get(url, headers=_auth(tokens, "bank-nusantara")).status_code == 200
    withdrawn = gateway.post(
        f"/api/referrals/{referral['id']}/withdraw", headers=_auth(tokens, "siti")
    )
    assert withdrawn.status_code == 200, withdrawn.text
    gone = gateway.get(url, headers=_auth(tokens, "bank-nusantara"))
    assert gone.status_code == 410 and gone.headers["content-type"] == "application/problem+json"
    assert client["full_name"] not in gone.text


def test_the_referral_profile_is_for_the_referral_service_alone(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = client_with_consent(gateway, tokens, ["contact", "identity"])
    for who in ("siti", "rina", "bank-nusantara", "ministry"):
        answer = gateway.get(
            f"/api/clients/{client['id']}/referral-profile",
            params={"partner_code": "bank-nusantara", "referral_id": client["id"]},
            headers=_auth(tokens, who),
        )
        assert answer.status_code == 403, (who, answer.status_code)
        assert client["_nik"] not in answer.text


def _set_offer_version(gateway: httpx.Client, tokens: dict[str, str], code: str, v: int) -> None:
    body = partner_body(gateway, tokens, code) | {"offer_version": v}
    answer = gateway.put(f"/api/partners/{code}", json=body, headers=_auth(tokens, "admin"))
    assert answer.status_code == 200 and answer.json()["offer_version"] == v, answer.text


def test_a_partner_still_on_offers_v1_gets_the_applicant_inline(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    _set_offer_version(gateway, tokens, "dompet-rakyat", 1)
    try:
        client = client_with_consent(gateway, tokens, ["contact"], partner="dompet-rakyat")
        since = stack.topic_end_offsets("partner.dompet-rakyat.referrals")
        answer = refer(
            gateway, tokens, client["id"], product="ewallet-account", partner="dompet-rakyat"
        )
        assert answer.status_code == 201, answer.text
        referral = answer.json()
        with stack.reading("partner.dompet-rakyat.referrals", since) as consumer:
            records = stack.drain_until(
                consumer, lambda rs: bool(_offers(rs, referral["id"], "v1"))
            )
    finally:
        _set_offer_version(gateway, tokens, "dompet-rakyat", 2)
    [offer] = _offers(records, referral["id"], "v1")
    assert offer["applicant"] == {
        "kind": "worker",
        "full_name": client["full_name"],
        "phone": client["phone"],
    }


def test_the_gates_without_consent_ineligible_and_suspended_licence(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = client_with_consent(gateway, tokens, ["contact"])
    # Wait until the projections know the client and consent (a successful probe elsewhere).
    stranger = gateway.post("/api/clients", json=new_worker(), headers=_auth(tokens, "siti")).json()
    time.sleep(1)
    no_consent = refer(gateway, tokens, stranger["id"], wait=False)
    assert no_consent.status_code in (404, 409)
    stack.eventually(
        lambda: refer(gateway, tokens, stranger["id"], wait=False).status_code == 409, timeout_s=30
    )
    assert refer(gateway, tokens, stranger["id"], wait=False).json()["type"].endswith("/no-consent")

    ineligible = refer(gateway, tokens, client["id"], product="kur-mikro")
    assert ineligible.status_code == 422
    failed = {e["field"] for e in ineligible.json()["errors"]}
    assert failed == {"eligibility.client_kind", "eligibility.nib_required"}

    admin = _auth(tokens, "admin")
    suspend = {"licence_status": "suspended", "licence_verified_on": "2026-11-29"}
    assert (
        gateway.put("/api/partners/bank-nusantara/licence", json=suspend, headers=admin).status_code
        == 200
    )
    try:
        refused = refer(gateway, tokens, client["id"], wait=False)
        assert refused.status_code == 409 and refused.json()["type"].endswith("/licence-not-active")
    finally:
        active = {"licence_status": "active", "licence_verified_on": "2026-11-29"}
        gateway.put("/api/partners/bank-nusantara/licence", json=active, headers=admin)
    assert (
        gateway.put(
            "/api/partners/bank-nusantara/licence", json=suspend, headers=_auth(tokens, "siti")
        ).status_code
        == 403
    )


def _listed(gateway: httpx.Client, headers: dict[str, str]) -> set[str]:
    """Every referral a partner's listing shows, page after page (a long-lived stack holds
    more than one page)."""
    ids: set[str] = set()
    params: dict[str, Any] = {"limit": 200}
    while True:
        page = gateway.get("/api/partner/referrals", params=params, headers=headers).json()
        ids |= {r["id"] for r in page["items"]}
        if not page.get("next_cursor"):
            return ids
        params["cursor"] = page["next_cursor"]


def test_the_partner_answers_only_its_own_referrals(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = client_with_consent(gateway, tokens, ["contact"])
    referral = refer(gateway, tokens, client["id"]).json()
    bank, other = (
        _auth(tokens, "bank-nusantara"),
        {"Authorization": f"Bearer {stack.service_token('partner-dompet-rakyat')}"},
    )
    path = f"/api/partner/referrals/{referral['id']}/status"

    assert referral["id"] in _listed(gateway, bank)
    assert referral["id"] not in _listed(gateway, other)
    assert gateway.post(path, json={"status": "acknowledged"}, headers=other).status_code == 404
    assert gateway.get(f"/api/referrals/{referral['id']}", headers=other).status_code == 403
    assert gateway.get("/api/clients", headers=other).status_code == 403

    assert (
        gateway.post(
            path, json={"status": "acknowledged", "external_ref": "BN-7781"}, headers=bank
        ).status_code
        == 200
    )
    bad_outcome = gateway.post(path, json={"status": "completed", "outcome": "rich"}, headers=bank)
    assert bad_outcome.status_code == 422 and bad_outcome.json()["errors"][0]["field"] == "outcome"
    done = gateway.post(
        path, json={"status": "completed", "outcome": "account_opened"}, headers=bank
    )
    assert done.status_code == 200 and done.json()["state"] == "completed"
    again = gateway.post(path, json={"status": "declined", "reason": "other"}, headers=bank)
    assert again.status_code == 409
    officer_view = gateway.get(
        f"/api/referrals/{referral['id']}", headers=_auth(tokens, "siti")
    ).json()
    assert officer_view["outcome"] == "account_opened" and officer_view["external_ref"] == "BN-7781"
    assert (
        gateway.get(f"/api/referrals/{referral['id']}", headers=_auth(tokens, "budi")).status_code
        == 404
    )


def test_withdrawing_consent_withdraws_the_referral_and_orders_erasure_in_72_hours(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = client_with_consent(gateway, tokens, ["contact"])
    referral = refer(gateway, tokens, client["id"]).json()
    since = stack.topic_end_offsets("partner.bank-nusantara.referrals")
    withdrawn = gateway.delete(
        f"/api/clients/{client['id']}/consents/{client['_consent_id']}",
        headers=_auth(tokens, "siti"),
    )
    assert withdrawn.status_code == 200

    def withdrawal(records: list[Any]) -> list[dict[str, Any]]:
        return [
            json.loads(r.value)
            for r in records
            if r.key == referral["id"].encode()
            and dict(r.headers)["ce_type"] == b"jembatan.partner.referral.withdrawn.v1"
        ]

    with stack.reading("partner.bank-nusantara.referrals", since) as consumer:
        records = stack.drain_until(consumer, lambda rs: bool(withdrawal(rs)))
    event = withdrawal(records)[0]
    assert event["reason"] == "consent_withdrawn"
    at, erase_by = (
        datetime.fromisoformat(event["withdrawn_at"]),
        datetime.fromisoformat(event["erase_by"]),
    )
    assert erase_by - at == timedelta(hours=72)
    state = gateway.get(f"/api/referrals/{referral['id']}", headers=_auth(tokens, "siti")).json()[
        "state"
    ]
    assert state == "withdrawn"
    complete = gateway.post(
        f"/api/partner/referrals/{referral['id']}/status",
        json={"status": "completed", "outcome": "account_opened"},
        headers=_auth(tokens, "bank-nusantara"),
    )
    assert complete.status_code == 409


def test_an_unacknowledged_referral_expires_after_two_working_days_and_escalates(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    client = client_with_consent(gateway, tokens, ["contact"])
    referral = refer(gateway, tokens, client["id"]).json()
    since = stack.topic_end_offsets("referral.events")
    respond_by = datetime.fromisoformat(referral["respond_by"]).replace(tzinfo=UTC)

    # A controllable clock: the respond-by day itself changes nothing; the next day expires it.
    # (Other tests' referrals may expire too, so this one's state is what is checked.)
    def state() -> str:
        view = gateway.get(f"/api/referrals/{referral['id']}", headers=_auth(tokens, "siti"))
        return str(view.json()["state"])

    expire_all_as_of(respond_by + timedelta(hours=10))
    assert state() == "sent"
    assert expire_all_as_of(respond_by + timedelta(days=1, hours=1)) >= 1
    assert state() == "expired"

    def escalations(records: list[Any]) -> list[Any]:
        return [
            r
            for r in records
            if dict(r.headers)["ce_type"] == b"jembatan.referral.escalated.v1"
            and referral["id"].encode() in r.value
        ]

    with stack.reading("referral.events", since) as consumer:
        records = stack.drain_until(consumer, lambda rs: bool(escalations(rs)))
    assert json.loads(escalations(records)[0].value)["breach"] == "not_acknowledged"


def test_an_admin_keeps_the_catalogue(gateway: httpx.Client, tokens: dict[str, str]) -> None:
    partner = {
        "name": "Koperasi Digital (fiktif)",
        "kind": "e-money",
        "regulator": "BI",
        "licence_type": "e-money issuer",
        "licence_number": "BI-TEST-003",
        "licence_status": "active",
        "licence_verified_on": "2026-11-29",
        "products": [
            {
                "code": "ewallet-basic",
                "name": "Dompet dasar",
                "kind": "ewallet",
                "fee_sheet": {"version": "2026-02", "fees": {"opening": 0}},
                "rules": [{"kind": "min_age", "value": 17}],
            }
        ],
    }
    admin = _auth(tokens, "admin")
    saved = gateway.put("/api/partners/koperasi-test", json=partner, headers=admin)
    assert saved.status_code == 200, saved.text
    listed = gateway.get("/api/partners", headers=_auth(tokens, "siti")).json()["items"]
    assert "koperasi-test" in [p["code"] for p in listed]
    bad_rule = {**partner, "products": [{**partner["products"][0], "rules": [{"kind": "vibes"}]}]}
    refused = gateway.put("/api/partners/koperasi-test", json=bad_rule, headers=admin)
    assert refused.status_code == 422
    # a fee is whole, non-negative rupiah under a plain name (the portal shows it to clients)
    for fees, field in [({"opening": -5}, "opening"), ({"0" * 80: 1}, "fees")]:
        sheet = {"version": "2026-03", "fees": fees}
        bad_fee = {**partner, "products": [{**partner["products"][0], "fee_sheet": sheet}]}
        refused = gateway.put("/api/partners/koperasi-test", json=bad_fee, headers=admin)
        assert refused.status_code == 422
        assert any(field in e["field"] for e in refused.json()["errors"]), refused.text
    assert (
        gateway.put(
            "/api/partners/koperasi-test", json=partner, headers=_auth(tokens, "siti")
        ).status_code
        == 403
    )


def test_a_product_may_require_a_completed_training(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    """Eligibility `training_completed`: refused (422, naming the rule) until the client's
    completion reaches the referral service through training.events."""
    admin = _auth(tokens, "admin")
    programme = "literasi-prasyarat"
    assert (
        gateway.put(
            f"/api/training/programmes/{programme}",
            json={
                "title": "Literasi keuangan sebelum menabung",
                "modules": ["Menabung"],
                "duration_hours": 2,
                "audience": "clients",
            },
            headers=admin,
        ).status_code
        == 200
    )
    partners = gateway.get("/api/partners", headers=admin).json()["items"]
    bank = next(p for p in partners if p["code"] == "bank-nusantara")
    product = {
        "code": "savings-after-training",
        "name": "Tabungan setelah pelatihan",
        "kind": "savings",
        "fee_sheet": {"version": "2026-01", "fees": {"opening": 0}},
        "rules": [{"kind": "training_completed", "value": programme}],
    }
    products = [p for p in bank["products"] if p["code"] != product["code"]] + [product]
    body = {k: v for k, v in bank.items() if k != "code"} | {"products": products}
    saved = gateway.put("/api/partners/bank-nusantara", json=body, headers=admin)
    assert saved.status_code == 200, saved.text

    client = client_with_consent(gateway, tokens, ["contact"])
    refused = refer(gateway, tokens, client["id"], product="savings-after-training")
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["eligibility.training_completed"]

    siti = _auth(tokens, "siti")
    session = gateway.post(
        "/api/training/sessions",
        json={
            "programme_code": programme,
            "region_code": "3273",
            "days": ["2026-12-10"],
            "starts_at": "2026-12-10T09:00:00+07:00",
            "trainer": "siti",
            "capacity": 20,
            "venue": "Aula",
        },
        headers=siti,
    ).json()["id"]
    who = f"client:{client['id']}"
    stack.eventually(
        lambda: (
            gateway.post(
                f"/api/training/sessions/{session}/enrolments",
                json={"participant": who},
                headers=siti,
            ).status_code
            == 201
        )
    )
    gateway.post(
        f"/api/training/sessions/{session}/scores",
        json={"participant": who, "post_score": 90},
        headers=siti,
    )
    done = gateway.post(
        f"/api/training/sessions/{session}/attendance",
        json={"participant": who, "day": "2026-12-10"},
        headers=siti,
    ).json()
    assert done["completed"] is True

    def referred() -> httpx.Response | None:
        answer = refer(gateway, tokens, client["id"], "savings-after-training", wait=False)
        return answer if answer.status_code != 422 else None

    assert stack.eventually(referred, timeout_s=30).status_code == 201


def test_a_referral_right_after_the_consent_is_sent_though_the_projection_has_not_heard(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    """The referral service's projections stand still (its worker is stopped), as they do for
    the moment after a registration: the referral asks the client service instead of
    answering 404, and still never reaches a client outside the officer's region."""
    stack.stop("referral-worker")
    try:
        client = client_with_consent(gateway, tokens, ["contact"])
        since = stack.topic_end_offsets("partner.bank-nusantara.referrals")
        answer = refer(gateway, tokens, client["id"], wait=False)
        assert answer.status_code == 201, answer.text
        referral = answer.json()

        body = new_worker(region_code="3578")  # Kota Surabaya: budi's, not siti's
        elsewhere = gateway.post("/api/clients", json=body, headers=_auth(tokens, "budi")).json()
        consent = {
            "purpose": "referral",
            "partner_code": "bank-nusantara",
            "scope": ["contact"],
            "text_version": "ref-2026-01",
        }
        granted = gateway.post(
            f"/api/clients/{elsewhere['id']}/consents", json=consent, headers=_auth(tokens, "budi")
        )
        assert granted.status_code == 201, granted.text
        assert refer(gateway, tokens, elsewhere["id"], wait=False).status_code == 404
    finally:
        stack.run_infra("services.sh", "start")
    with stack.reading("partner.bank-nusantara.referrals", since) as consumer:
        records = stack.drain_until(consumer, lambda rs: bool(_offers(rs, referral["id"])))
    assert len(_offers(records, referral["id"])) == 1
