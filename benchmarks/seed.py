"""Fill a client database with synthetic clients, fast, straight in SQL (no personal data).

Rows look like real ones where the indexes care: a 32-byte keyed NIK index, an E.164 phone,
a normalised name, and regions spread over many regencies.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, text

SEED = text(
    """
    INSERT INTO clients (id, kind, nik_ciphertext, nik_index, nik_masked, full_name,
        name_normalized, birth_date, sex, phone, phone_is_mobile, region_code,
        preferred_language, disability, registered_at, registered_by)
    SELECT gen_random_uuid(), 'worker', '\\x01'::bytea,
        sha256(convert_to(:tag || g::text, 'UTF8')),
        '9999**********00',
        'Peserta ' || g, substr(md5(g::text), 1, 7) || ' ' || substr(md5((g + 7)::text), 3, 9),
        DATE '1970-01-01' + (g % 12000)::int, CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END,
        '+62812' || lpad((g % 100000000)::text, 8, '0'), true,
        (CAST(:regions AS text[]))[1 + g % cardinality(CAST(:regions AS text[]))],
        'id', false, now(), 'seed'
    FROM generate_series(CAST(:start AS bigint), CAST(:stop AS bigint)) AS g
    ON CONFLICT DO NOTHING
    """
)


REGIONS = ("3273", "3578", "3171", "3374", "5171", "7371", "1271", "6471")


def seed(
    engine: Engine,
    rows: int,
    tag: str,
    batch: int = 100_000,
    regions: Sequence[str] = REGIONS,
) -> None:
    """Up to `rows` synthetic clients spread over `regions` (rows already there stay)."""
    for start in range(1, rows + 1, batch):
        with engine.begin() as conn:
            conn.execute(
                SEED,
                {
                    "tag": tag,
                    "start": start,
                    "stop": min(start + batch - 1, rows),
                    "regions": list(regions),
                },
            )
    with engine.begin() as conn:
        conn.execute(text("ANALYZE clients"))
