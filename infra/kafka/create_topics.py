"""Create the local stack's Kafka topics listed in topics.txt; existing topics are left alone.

Usage: create_topics.py [--bootstrap 127.0.0.1:9092] [topics.txt]
Each non-comment line of the file is "<name> <partitions>"; replication factor is 1.
"""

import argparse
import pathlib
import sys

from kafka import KafkaAdminClient
from kafka.errors import KafkaError, TopicAlreadyExistsError, for_code

REPLICATION_FACTOR = 1


def read_topics(path: pathlib.Path) -> dict[str, int]:
    topics: dict[str, int] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 2 or not fields[1].isdigit() or int(fields[1]) < 1:
            sys.exit(f"{path}:{number}: expected '<name> <partitions>', got {raw!r}")
        if fields[0] in topics:
            sys.exit(f"{path}:{number}: topic {fields[0]} listed twice")
        topics[fields[0]] = int(fields[1])
    return topics


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "file", nargs="?", type=pathlib.Path, default=pathlib.Path(__file__).with_name("topics.txt")
    )
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    args = parser.parse_args()

    wanted = read_topics(args.file)
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=args.bootstrap,
            client_id="jembatan-topics",
            bootstrap_timeout_ms=10000,
            request_timeout_ms=15000,
        )
    except KafkaError as exc:
        sys.exit(f"topics: cannot reach Kafka at {args.bootstrap}: {exc}")
    with admin:
        existing = set(admin.list_topics())
        missing = {name: n for name, n in wanted.items() if name not in existing}
        # Partition counts of existing topics are not changed: growing them would remap keys.
        if not missing:
            print(f"topics: all {len(wanted)} present")
            return 0
        result = admin.create_topics(
            {
                name: {"num_partitions": n, "replication_factor": REPLICATION_FACTOR}
                for name, n in missing.items()
            },
            raise_errors=False,
        )
        failed = False
        created = []
        for topic in result["topics"]:
            error = for_code(topic["error_code"])
            if topic["error_code"] == 0:
                created.append(topic["name"])
                print(f"topics: created {topic['name']} ({missing[topic['name']]} partitions)")
            elif error is TopicAlreadyExistsError:
                pass  # created by someone else between list and create
            else:
                failed = True
                detail = topic.get("error_message") or ""
                print(f"topics: FAILED {topic['name']}: {error.__name__} {detail}", file=sys.stderr)
        if created:
            # Return only when every new partition has a leader, so producers can start at once.
            admin.wait_for_topics(created, timeout_ms=15000)
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
