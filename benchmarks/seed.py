"""Fill a client database with synthetic clients, fast, straight in SQL (no personal data).

Rows look like real ones where the indexes care: a 32-byte keyed NIK index, an E.164 phone,
a normalised name, and regions spread over many regencies.
"""

from __future__ import annotations

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
        (ARRAY['3273','3578','3171','3374','5171','7371','1271','6471'])[1 + g % 8],
        'id', false, now(), 'seed'
    FROM generate_series(CAST(:start AS bigint), CAST(:stop AS bigint)) AS g
    ON CONFLICT DO NOTHING
    """
)


def seed(engine: Engine, rows: int, tag: str, batch: int = 100_000) -> None:
    for start in range(1, rows + 1, batch):
        with engine.begin() as conn:
            conn.execute(SEED, {"tag": tag, "start": start, "stop": min(start + batch - 1, rows)})
    with engine.begin() as conn:
        conn.execute(text("ANALYZE clients"))
