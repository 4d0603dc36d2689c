"""A trainer's workshop through the API: the programmes to plan from, the whole session's
scores in one sheet (all or nothing), the session's certificates as one PDF, and a
supervisor's view of the trainings her officers took."""

from __future__ import annotations

import io
from datetime import date

import httpx
import pytest
from pypdf import PdfReader

from support import training as t

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def programme(gateway: httpx.Client, tokens: dict[str, str]) -> str:
    return t.programme(gateway, tokens["admin"])


def _enrolled(
    gateway: httpx.Client, token: str, session: str, names: list[str]
) -> list[dict[str, str]]:
    clients = [t.client(gateway, token, full_name=name) for name in names]
    for client in clients:
        assert t.enrol(gateway, token, session, client["id"]).status_code == 201
    return clients


def test_the_programmes_to_plan_from_are_listed(
    gateway: httpx.Client, tokens: dict[str, str], programme: str
) -> None:
    found = gateway.get("/api/training/programmes", headers=t.auth(tokens["budi"]))
    assert found.status_code == 200
    mine = [p for p in found.json()["items"] if p["code"] == programme]
    assert mine == [
        {
            "code": programme,
            "title": "Literasi keuangan digital",
            "audience": "both",
            "duration_hours": 8,
        }
    ]


def test_one_wrong_line_of_a_score_sheet_records_none_of_it(
    gateway: httpx.Client, tokens: dict[str, str], programme: str
) -> None:
    session = t.session(gateway, tokens["siti"], programme, days=[date(2026, 12, 9)])
    first, second = _enrolled(gateway, tokens["siti"], session, ["Ani Wijaya", "Bayu Pratama"])
    stranger = t.client(gateway, tokens["siti"])  # of Bandung, but not in this session
    base, siti = f"/api/training/sessions/{session}", t.auth(tokens["siti"])

    def sheet(*lines: tuple[str, int | None, int | None]) -> httpx.Response:
        scores = [
            {"participant": f"client:{c}", "pre_score": p, "post_score": q} for c, p, q in lines
        ]
        return gateway.put(f"{base}/scores", json={"scores": scores}, headers=siti)

    too_high = sheet((first["id"], 40, 80), (second["id"], 30, 101))
    assert too_high.status_code == 422
    assert [e["field"] for e in too_high.json()["errors"]] == ["scores.1.post_score"]
    not_here = sheet((first["id"], 40, 80), (stranger["id"], 30, 60))
    assert not_here.status_code == 422
    assert [e["field"] for e in not_here.json()["errors"]] == ["scores.1.participant"]
    untouched = gateway.get(base, headers=siti).json()["participants"]
    assert {(p["pre_score"], p["post_score"]) for p in untouched} == {(None, None)}

    recorded = sheet((first["id"], 40, 80), (second["id"], 30, None))
    assert recorded.status_code == 200, recorded.text
    scores = {p["participant"]: p for p in recorded.json()["participants"]}
    assert scores[f"client:{first['id']}"]["knowledge_gain"] == 40
    assert scores[f"client:{second['id']}"]["pre_score"] == 30
    assert scores[f"client:{second['id']}"]["post_score"] is None
    again = sheet((second["id"], None, 75))  # a blank keeps what was recorded
    scores = {p["participant"]: p for p in again.json()["participants"]}
    assert (
        scores[f"client:{second['id']}"]["pre_score"],
        scores[f"client:{second['id']}"]["post_score"],
    ) == (30, 75)


def test_a_sessions_certificates_print_as_one_pdf_a_page_each(
    gateway: httpx.Client, tokens: dict[str, str], programme: str
) -> None:
    session = t.session(gateway, tokens["siti"], programme, days=[date(2026, 12, 9)])
    passed = _enrolled(gateway, tokens["siti"], session, ["Citra Ayu", "Dimas Hadi", "Eko Putra"])
    base, siti = f"/api/training/sessions/{session}", t.auth(tokens["siti"])
    assert gateway.get(f"{base}/certificates/pdf", headers=siti).status_code == 404  # none yet

    lines = [
        {"participant": f"client:{c['id']}", "post_score": s}
        for c, s in zip(passed, (90, 85, 40), strict=True)
    ]
    assert gateway.put(f"{base}/scores", json={"scores": lines}, headers=siti).status_code == 200
    for client in passed:
        mark = {"participant": f"client:{client['id']}", "day": "2026-12-09"}
        assert gateway.post(f"{base}/attendance", json=mark, headers=siti).status_code == 200
    codes = [
        p["certificate_code"]
        for p in gateway.get(base, headers=siti).json()["participants"]
        if p["completed"]
    ]
    assert len(codes) == 2  # Eko's 40 is under the pass mark

    document = gateway.get(f"{base}/certificates/pdf", headers=siti)
    assert document.status_code == 200
    assert document.headers["content-type"] == "application/pdf"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(document.content)).pages]
    assert len(pages) == 2
    for initials in ("C. A.", "D. H."):
        assert sum(initials in text for text in pages) == 1
    for code in codes:
        assert sum(code in text for text in pages) == 1
    assert not any(name in "".join(pages) for name in ("Citra", "Dimas", "Eko", "E. P."))
    outside = gateway.get(f"{base}/certificates/pdf", headers=t.auth(tokens["budi"]))
    assert outside.status_code == 404


def test_a_supervisor_sees_the_trainings_of_her_provinces_officers(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    for_officers = t.programme(gateway, tokens["admin"], audience="officers")
    in_bandung = t.session(gateway, tokens["siti"], for_officers, days=[date(2026, 12, 9)])
    done = t.complete_as_officer(gateway, tokens["siti"], in_bandung)
    in_surabaya = t.session(
        gateway, tokens["budi"], for_officers, days=[date(2026, 12, 9)], region_code="3578"
    )
    t.complete_as_officer(gateway, tokens["budi"], in_surabaya)

    seen = gateway.get("/api/training/officers/trainings", headers=t.auth(tokens["rina"]))
    assert seen.status_code == 200
    sessions = {r["session_id"]: r for r in seen.json()["items"]}
    assert sessions[in_bandung]["certificate_code"] == done["certificate_code"]
    assert sessions[in_bandung]["officer"] == done["participant"].removeprefix("officer:")
    assert in_surabaya not in sessions  # Jawa Timur is not rina's province
    refused = gateway.get("/api/training/officers/trainings", headers=t.auth(tokens["siti"]))
    assert refused.status_code == 403
