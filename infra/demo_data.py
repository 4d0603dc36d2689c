"""Load demo programmes and clients through the gateway as the demo administrator and officers
would (idempotent: a programme is put again, a client answers 409 the second time).

Local use only: the people below are invented, and their NIKs are valid in shape only.
"""

from __future__ import annotations

import sys

import httpx

from shared.oidc import login_with_pkce

GATEWAY = "http://127.0.0.1:8080"
KEYCLOAK = "http://localhost:8180"
PASSWORD = "jembatan-dev"  # noqa: S105  (the documented demo password of the local realm)

DEMO = {
    "siti": [
        {
            "kind": "worker",
            "nik": "3273014506900007",
            "full_name": "Ratna Sari",
            "birth_date": "1990-06-05",
            "sex": "F",
            "phone": "+6281311110001",
            "region_code": "3273",
        },
        {
            "kind": "worker",
            "nik": "3273021204880002",
            "full_name": "Dedi Kurniawan",
            "birth_date": "1988-04-12",
            "sex": "M",
            "phone": "+6281311110002",
            "region_code": "3273",
        },
        {
            "kind": "worker",
            "nik": "3273035708950003",
            "full_name": "Wulan Lestari",
            "birth_date": "1995-08-17",
            "sex": "F",
            "phone": "+6281311110003",
            "region_code": "3273",
            "preferred_language": "id",
            "disability": True,
        },
    ],
    "budi": [
        {
            "kind": "worker",
            "nik": "3578010302920004",
            "full_name": "Agus Santoso",
            "birth_date": "1992-02-03",
            "sex": "M",
            "phone": "+6281311110004",
            "region_code": "3578",
        },
    ],
}


# The programmes a trainer plans sessions from (the admin keeps them: PUT is create-or-change).
PROGRAMMES = {
    "literasi-keuangan-digital": {
        "title": "Literasi keuangan digital",
        "modules": [
            "Rekening bank dan dompet digital",
            "QRIS untuk usaha",
            "Menghindari pinjaman online ilegal",
        ],
        "duration_hours": 8,
        "audience": "clients",
        "min_attendance_percent": 80,
        "min_post_score": 70,
    },
    "pendamping-inklusi-keuangan": {
        "title": "Pendamping inklusi keuangan",
        "modules": ["Produk keuangan mitra", "Persetujuan dan data pribadi (UU PDP)"],
        "duration_hours": 16,
        "audience": "officers",
        "min_attendance_percent": 100,
        "min_post_score": 75,
    },
}


def _headers(user: str) -> dict[str, str]:
    token = login_with_pkce(
        KEYCLOAK, "jembatan", "jembatan-cli", user, PASSWORD, "http://127.0.0.1/callback"
    )["access_token"]
    return {"Authorization": f"Bearer {token}"}


def main() -> int:
    admin = _headers("admin")
    for code, programme in PROGRAMMES.items():
        answer = httpx.put(
            f"{GATEWAY}/api/training/programmes/{code}", json=programme, headers=admin, timeout=15
        )
        if answer.status_code != 200:
            print(f"demo data: programme {code} answered {answer.status_code}", file=sys.stderr)
            return 1
    for officer, clients in DEMO.items():
        headers = _headers(officer)
        for body in clients:
            answer = httpx.post(f"{GATEWAY}/api/clients", json=body, headers=headers, timeout=15)
            if answer.status_code not in (201, 409):
                print(
                    f"demo data: registering a client as {officer} answered {answer.status_code}",
                    file=sys.stderr,
                )
                return 1
    print("demo data loaded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
