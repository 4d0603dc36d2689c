"""An example partner consumer: prints the referral offers (and withdrawals) sent to a bank.

    .venv/bin/python examples/partner_consumer.py --partner bank-nusantara [--from-beginning]

Against the local stack (`make up`): Kafka on 127.0.0.1:9092 without authentication. In
production your topic is reached over TLS with SCRAM credentials or OAUTHBEARER, and your
consumer group must start with `partner-<code>-` (docs/partners.md).

It is deliberately plain kafka-python with no Jembatan code, so it reads like what a bank's
integration engineer would write. It commits offsets only after handling a record, and
de-duplicates on `ce_id`: delivery is at least once.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys

from kafka import KafkaConsumer


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partner", default="bank-nusantara")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--group", help="consumer group (default partner-<code>-example)")
    parser.add_argument(
        "--from-beginning", action="store_true", help="a new group starts at the oldest offer"
    )
    parser.add_argument("--max-records", type=int, default=0, help="stop after N (0: run on)")
    args = parser.parse_args()

    consumer = KafkaConsumer(
        f"partner.{args.partner}.referrals",
        bootstrap_servers=args.bootstrap,
        group_id=args.group or f"partner-{args.partner}-example",
        enable_auto_commit=False,
        auto_offset_reset="earliest" if args.from_beginning else "latest",
    )
    signal.signal(signal.SIGTERM, lambda *_: consumer.close())
    seen: set[str] = set()
    for handled, record in enumerate(consumer, start=1):
        headers = {name: value.decode() for name, value in record.headers}
        event_id, event_type = headers.get("ce_id", ""), headers.get("ce_type", "")
        if event_id not in seen:
            seen.add(event_id)
            data = json.loads(record.value)
            if event_type == "jembatan.partner.referral.offered.v1":
                fields = sorted(k for k, v in data["applicant"].items() if v is not None)
                print(
                    f"OFFER {data['referral_id']} product={data['product_code']} "
                    f"respond_by={data['respond_by']} scope={','.join(data['consent']['scope'])} "
                    f"applicant_fields={','.join(fields)}",
                    flush=True,
                )
            elif event_type == "jembatan.partner.referral.withdrawn.v1":
                print(
                    f"WITHDRAWN {data['referral_id']} reason={data['reason']} "
                    f"erase_by={data['erase_by']}",
                    flush=True,
                )
        consumer.commit()
        if args.max_records and handled >= args.max_records:
            break
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
