"""Create the local stack's Kafka topics listed in topics.txt, each with its retention.

Usage: create_topics.py [--bootstrap 127.0.0.1:9095] [topics.txt]   (as the broker's admin)
Each non-comment line of the file is "<name> <partitions> retention=<n> segment=<n>", the
durations in days (`30d`) or hours (`70h`); replication factor is 1. Missing topics are
created with that `retention.ms` and `segment.ms`; existing ones are brought to them (a stack
made before retentions were listed has topics on the broker's defaults). Partition counts of
existing topics are not changed.
"""

import argparse
import pathlib
import re
import sys
from typing import NamedTuple

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from shared.kafka_security import local_admin

REPLICATION_FACTOR = 1
# The line's keys and the topic configs they set: both always, so nothing is left endless.
SETTINGS = {"retention": "retention.ms", "segment": "segment.ms"}
_DURATION = re.compile(r"(?P<amount>[1-9][0-9]*)(?P<unit>[dh])")
_UNIT_MS = {"d": 24 * 3600 * 1000, "h": 3600 * 1000}


class Topic(NamedTuple):
    partitions: int
    configs: dict[str, str]  # topic config -> value, as the broker reports it

    def describe(self) -> str:
        return ", ".join(f"{key} {value}" for key, value in self.configs.items())


def duration_ms(text: str) -> int | None:
    """`30d` or `70h` in milliseconds; None for anything else (never an endless -1)."""
    found = _DURATION.fullmatch(text)
    return int(found["amount"]) * _UNIT_MS[found["unit"]] if found else None


def _configs(fields: list[str]) -> dict[str, str] | None:
    pairs = dict(field.partition("=")[::2] for field in fields)
    if len(pairs) != len(fields) or pairs.keys() != SETTINGS.keys():
        return None
    durations = {SETTINGS[key]: duration_ms(value) for key, value in pairs.items()}
    if not all(durations.values()):
        return None
    return {config: str(ms) for config, ms in durations.items()}


def read_topics(path: pathlib.Path) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        configs = _configs(fields[2:]) if len(fields) == 4 else None
        if configs is None or not fields[1].isdigit() or int(fields[1]) < 1:
            sys.exit(
                f"{path}:{number}: expected '<name> <partitions> retention=<n>d|h "
                f"segment=<n>d|h', got {raw!r}"
            )
        if fields[0] in topics:
            sys.exit(f"{path}:{number}: topic {fields[0]} listed twice")
        topics[fields[0]] = Topic(int(fields[1]), configs)
    return topics


def create_missing(admin: KafkaAdminClient, missing: dict[str, Topic]) -> bool:
    """Creates the topics; whether every one now exists."""
    result = admin.create_topics(
        {
            name: {
                "num_partitions": topic.partitions,
                "replication_factor": REPLICATION_FACTOR,
                "configs": topic.configs,
            }
            for name, topic in missing.items()
        },
        raise_errors=False,
    )
    ok = True
    created = []
    for answer in result["topics"]:
        name, error = answer["name"], for_code(answer["error_code"])
        if answer["error_code"] == 0:
            created.append(name)
            topic = missing[name]
            print(f"topics: created {name} ({topic.partitions} partitions, {topic.describe()})")
        elif error is TopicAlreadyExistsError:
            pass  # created by someone else between list and create; the next run aligns it
        else:
            ok = False
            detail = answer.get("error_message") or ""
            print(f"topics: FAILED {name}: {error.__name__} {detail}", file=sys.stderr)
    if created:
        # Return only when every new partition has a leader, so producers can start at once.
        admin.wait_for_topics(created, timeout_ms=15000)
    return ok


def align_configs(admin: KafkaAdminClient, existing: dict[str, Topic]) -> bool:
    """Sets the listed configs where the broker holds other values; whether all succeeded."""
    if not existing:
        return True
    described = admin.describe_configs(
        [
            ConfigResource(ConfigResourceType.TOPIC, name, dict.fromkeys(topic.configs))
            for name, topic in existing.items()
        ],
        config_filter="all",
    )["topic"]
    changes = {
        name: {
            key: value
            for key, value in topic.configs.items()
            if described[name][key]["value"] != value
        }
        for name, topic in existing.items()
    }
    changes = {name: configs for name, configs in changes.items() if configs}
    if not changes:
        return True
    # Incremental: only these keys are set, every other setting of the topic stays.
    outcome = admin.alter_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name, c) for name, c in changes.items()],
        incremental=True,
    )["topic"]
    ok = True
    for name, configs in changes.items():
        if outcome[name] == "OK":
            for key, value in configs.items():
                print(f"topics: {name} {key} {described[name][key]['value']} -> {value}")
        else:
            ok = False
            print(f"topics: FAILED to set {name} {configs}: {outcome[name]}", file=sys.stderr)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "file", nargs="?", type=pathlib.Path, default=pathlib.Path(__file__).with_name("topics.txt")
    )
    parser.add_argument("--bootstrap", default="127.0.0.1:9095")
    args = parser.parse_args()

    wanted = read_topics(args.file)
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=args.bootstrap,
            client_id="jembatan-topics",
            bootstrap_timeout_ms=10000,
            request_timeout_ms=15000,
            **local_admin().kafka_python(),
        )
    except KafkaError as exc:
        sys.exit(f"topics: cannot reach Kafka at {args.bootstrap}: {exc}")
    with admin:
        present = set(admin.list_topics())
        missing = {name: t for name, t in wanted.items() if name not in present}
        existing = {name: t for name, t in wanted.items() if name in present}
        created = create_missing(admin, missing) if missing else True
        aligned = align_configs(admin, existing)
        if created and aligned and not missing:
            print(f"topics: all {len(wanted)} present, with their retention and segments")
        return 0 if created and aligned else 1


if __name__ == "__main__":
    sys.exit(main())
