"""Load demo clients through the gateway as the demo officers would (idempotent: 409 = done).

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


def main() -> int:
    for officer, clients in DEMO.items():
        token = login_with_pkce(
            KEYCLOAK, "jembatan", "jembatan-cli", officer, PASSWORD, "http://127.0.0.1/callback"
        )["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
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
