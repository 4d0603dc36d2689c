"""Re-encrypt every stored NIK under the newest key of the ring, online, in batches:

    CLIENT_NIK_ENCRYPTION_KEYS="new-id=new-secret,old-id=old-secret" \\
        python -m client.entrypoints.rotate_keys [--batch 500]

Run it after every API, worker and timer process has the new ring (the newest key first, the
old ones still listed): from then on they encrypt under the new key and still read the old.
Each batch is one short transaction over the next clients by id, locking only rows it
rewrites and skipping rows a request holds (the next run takes them), so the service keeps
answering. When it reports nothing left under an old key, the old key can leave the ring.
The lookup index (`nik_index`) is keyed separately and does not change, so searches by NIK
find the same clients throughout.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Engine, text

from client.bootstrap import nik_protector
from client.settings import ClientSettings
from shared import db
from shared.crypto import Keyring

_NEXT = text(
    "SELECT id, nik_ciphertext FROM clients WHERE id > :after ORDER BY id LIMIT :n"
    " FOR UPDATE SKIP LOCKED"
)
_REWRITE = text("UPDATE clients SET nik_ciphertext = :blob WHERE id = :id")
_FIRST = UUID(int=0)


@dataclass
class Rotation:
    examined: int = 0
    rewritten: int = 0
    batches: int = 0


def rotate(engine: Engine, ring: Keyring, batch: int = 500) -> Rotation:
    """Walk every client once by id; re-encrypt each NIK not under `ring.current`."""
    done = Rotation()
    after = _FIRST
    while True:
        with engine.begin() as conn:
            rows = conn.execute(_NEXT, {"after": after, "n": batch}).all()
            if not rows:
                return done
            stale = [
                {"id": row.id, "blob": ring.encrypt(ring.decrypt(row.nik_ciphertext))}
                for row in rows
                if not ring.is_current(row.nik_ciphertext)
            ]
            if stale:
                conn.execute(_REWRITE, stale)
        after = rows[-1].id
        done.examined += len(rows)
        done.rewritten += len(stale)
        done.batches += 1


# The key id as shared.crypto.Keyring writes it: byte 1 its length, from byte 2 on the id.
_KEY_IDS = text(
    "SELECT CASE WHEN get_byte(nik_ciphertext, 0) = 1 THEN ''"
    " ELSE convert_from(substring(nik_ciphertext FROM 3 FOR get_byte(nik_ciphertext, 1)),"
    " 'UTF8') END AS key_id, count(*) AS n FROM clients GROUP BY 1"
)


def key_ids_in_use(engine: Engine) -> dict[str, int]:
    """How many stored NIKs each key encrypted ('' for those stored without a key id)."""
    with engine.connect() as conn:
        return {row.key_id: row.n for row in conn.execute(_KEY_IDS)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    settings = ClientSettings()
    engine = db.sync_engine(settings.database_url)
    ring = nik_protector(settings).cipher
    try:
        done = rotate(engine, ring, args.batch)
        left = key_ids_in_use(engine)
    finally:
        engine.dispose()
    old = {k: n for k, n in left.items() if k != ring.current}
    print(
        json.dumps(
            {
                "current_key": ring.current,
                "examined": done.examined,
                "rewritten": done.rewritten,
                "batches": done.batches,
                "left_under_old_keys": old,
            }
        )
    )
    return 0 if not old else 1  # rows a request held stay old: run it again


if __name__ == "__main__":
    sys.exit(main())
