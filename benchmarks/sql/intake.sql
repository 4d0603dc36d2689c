-- The transaction of one `POST /api/clients`, statement for statement, as PostgreSQL's log
-- showed it (log_statement=all, 2026-12-06): the NIK lookup through the keyed index, the
-- client row, the duplicate check, the outbox row, all in one transaction, under the row-level
-- security of the caller's region (decision 0011). Values have the
-- sizes of a real registration; :n makes the NIK index, id and phone unique.
\set n random(1, 9000000000000000)
BEGIN;
SELECT set_config('jembatan.region', '3273', true), set_config('jembatan.partner', '', true);
SELECT clients.id, clients.region_code FROM clients
 WHERE clients.nik_index = sha256(int8send(:n::bigint) || int8send(:client_id));
INSERT INTO clients (id, kind, nik_ciphertext, nik_index, nik_masked, full_name, birth_date, sex,
  name_normalized, phone, phone_is_mobile, email, region_code, preferred_language, disability,
  financial_profile, business, nik_warnings, region_code_set, registered_at, registered_by,
  updated_at, version)
VALUES (md5(:n::bigint::text || '/' || :client_id)::uuid, 'worker',
  '\x016429ee47a571cc2fdfdea4ac3ac323929d0d7b2396b44c67703fdd9591480acf17fd3b145494d4df5443abae',
  sha256(int8send(:n::bigint) || int8send(:client_id)), '3273**********91', 'Peserta Uji ' || :n::bigint,
  DATE '1961-01-01' + (:n::bigint % 16000)::int, 'F', 'peserta uji ' || :n::bigint,
  '+62812' || lpad((:n::bigint % 100000000)::text, 8, '0'), true, NULL, '3273', 'id', false,
  '{"uses_qris": false, "has_ewallet": false, "has_bank_account": false, "wages_paid_digitally": false}',
  'null', '[]', 'kepmendagri-300.2.2-2138-2025', now(), '81d717ea-49b8-465c-afbf-86a14452abb1',
  NULL, 1);
INSERT INTO duplicate_flags (id, client_id, candidate_id, region_code, reason)
SELECT gen_random_uuid(), n.id, c.id, n.region_code,
       CASE WHEN c.phone = n.phone THEN 'same_phone' ELSE 'same_name_and_birth_date' END
FROM clients n
JOIN clients c
  ON c.region_code = n.region_code
 AND c.merged_into IS NULL
 AND (c.registered_at, c.id) < (n.registered_at, n.id)
 AND (c.phone = n.phone
      OR (c.name_normalized = n.name_normalized AND c.birth_date = n.birth_date))
WHERE n.id = ANY(ARRAY[md5(:n::bigint::text || '/' || :client_id)::uuid])
ON CONFLICT DO NOTHING
RETURNING id, client_id, candidate_id, region_code, reason, flagged_at, status;
INSERT INTO outbox (event_id, topic, msg_key, event_type, source, subject, payload, trace_headers,
  created_at)
SELECT anon_1.event_id, anon_1.topic, anon_1.msg_key, anon_1.event_type, anon_1.source,
  anon_1.subject, CAST(anon_1.payload AS JSONB) AS payload,
  CAST(anon_1.trace_headers AS JSONB) AS trace_headers, anon_1.created_at
FROM unnest(ARRAY[gen_random_uuid()], ARRAY['client.events'],
  ARRAY[md5(:n::bigint::text || '/' || :client_id)], ARRAY['jembatan.client.registered.v1'],
  ARRAY['/services/client'], ARRAY['client/' || md5(:n::bigint::text || '/' || :client_id)],
  ARRAY['{"client_id": "5f0a80ac-e21d-4afb-91d9-90e0ba7367d8", "kind": "worker", "region_code": "3273", "registered_at": "2026-12-06T02:47:32.021465Z", "registered_by": "81d717ea-49b8-465c-afbf-86a14452abb1", "full_name": "Peserta Uji ' || :n::bigint || '", "sex": "F", "birth_date": "1964-02-01", "disability": false, "preferred_language": "id", "contact": {"phone": "+6281217313923", "email": null}, "business": null}'],
  ARRAY['{"traceparent": "00-ab0e86f55f86ddf6edf97c0215c7c651-c8a0264c48b4acd8-03"}'],
  ARRAY[now()])
  AS anon_1(event_id, topic, msg_key, event_type, source, subject, payload, trace_headers,
            created_at);
COMMIT;
