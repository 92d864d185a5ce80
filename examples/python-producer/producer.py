#!/usr/bin/env python3
"""Page-view producer in the shape Tidemark is built for: confluent-kafka's Producer with the
Schema Registry's AvroSerializer (Confluent wire format: magic byte 0, 4-byte big-endian schema
id, Avro binary), subject pageview_events-value (TopicNameStrategy), key = user_id.

Copy it and change the two endpoint constants, or pass --bootstrap / --registry. Events come
either from a JSON-lines file (one seed-format event per line, e.g. written by Tidemark's
generator; sent in file order, duplicates and out-of-order events included) or are generated
here from --count and --seed. Prints one JSON summary line: how many were sent, and the schema id
the registry gave the schema.
"""

import argparse
import json
import random
import sys
import time
import uuid

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext, StringSerializer

# The two endpoint constants: Tidemark's local stack (./tidemark stack up).
BOOTSTRAP_SERVERS = "localhost:19092"
SCHEMA_REGISTRY_URL = "http://127.0.0.1:18081/apis/ccompat/v7"

TOPIC = "pageview_events"

# The producers' schema. "logicalType" sits beside "type": "long", so timestamp is a plain long
# (epoch milliseconds UTC), exactly as Tidemark's reader schema expects.
SCHEMA_STR = """
{"type": "record", "name": "PageView", "fields": [
  {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "string"},
  {"name": "page_url", "type": "string"},
  {"name": "timestamp", "type": "long", "logicalType": "timestamp-millis"}]}
"""

FIELDS = (("event_id", str), ("user_id", str), ("page_url", str), ("timestamp", int))


def events_from_file(path):
    """Yields the events of a JSON-lines file; a line that is not a complete event stops the run."""
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"producer: {path}:{number} is not JSON ({e.msg}); Avro can only carry complete events")
            missing = [n for n, t in FIELDS if not isinstance(event.get(n), t) or isinstance(event.get(n), bool)]
            if missing:
                raise SystemExit(f"producer: {path}:{number} lacks a {'/'.join(missing)} of the right type;"
                                 " Avro can only carry complete events")
            yield {n: event[n] for n, _ in FIELDS}


def generated_events(count, seed, users, pages):
    """count events over the last minutes, with a few redeliveries, reproducible from seed."""
    rnd = random.Random(seed)
    now = int(time.time() * 1000)
    sent = []
    for _ in range(count):
        if sent and rnd.random() < 0.05:
            yield sent[rnd.randrange(len(sent))]  # a redelivery: same event_id, counted once
            continue
        event = {
            "event_id": str(uuid.UUID(int=rnd.getrandbits(128))),
            "user_id": f"user-{rnd.randrange(users)}",
            "page_url": f"/page/{rnd.randrange(pages)}",
            "timestamp": now - rnd.randrange(5 * 60_000),
        }
        sent.append(event)
        yield event


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bootstrap", default=BOOTSTRAP_SERVERS, help="Kafka bootstrap servers (default: %(default)s)")
    p.add_argument("--registry", default=SCHEMA_REGISTRY_URL, help="Schema registry URL, Confluent API (default: %(default)s)")
    p.add_argument("--topic", default=TOPIC, help="Topic; the subject is <topic>-value (default: %(default)s)")
    p.add_argument("--events", metavar="FILE.jsonl", help="Send the events of this JSON-lines file, in order")
    p.add_argument("--count", type=int, default=1000, help="Without --events: how many events to generate (default: %(default)s)")
    p.add_argument("--seed", type=int, default=1, help="Without --events: random seed (default: %(default)s)")
    p.add_argument("--users", type=int, default=50, help="Without --events: distinct users (default: %(default)s)")
    p.add_argument("--pages", type=int, default=20, help="Without --events: distinct pages (default: %(default)s)")
    args = p.parse_args(argv)

    registry = SchemaRegistryClient({"url": args.registry})
    # auto.register.schemas (the default) registers SCHEMA_STR under <topic>-value, or finds it
    # there: after ./tidemark migrate it is the version Tidemark registered.
    serialize_value = AvroSerializer(registry, SCHEMA_STR)
    serialize_key = StringSerializer("utf_8")
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "linger.ms": 20})

    failures = []

    def delivered(err, msg):
        if err is not None:
            failures.append(str(err))

    events = events_from_file(args.events) if args.events else generated_events(args.count, args.seed, args.users, args.pages)
    sent = 0
    schema_id = None
    for event in events:
        value = serialize_value(event, SerializationContext(args.topic, MessageField.VALUE))
        if schema_id is None:
            schema_id = int.from_bytes(value[1:5], "big")
        while True:
            try:
                producer.produce(args.topic, key=serialize_key(event["user_id"]), value=value, on_delivery=delivered)
                break
            except BufferError:
                producer.poll(0.1)  # local queue full: let deliveries drain
        producer.poll(0)
        sent += 1
    remaining = producer.flush(60)
    if remaining or failures:
        print(f"producer: {remaining} undelivered, {len(failures)} failed: {failures[:3]}", file=sys.stderr)
        return 1
    print(json.dumps({"produced": sent, "topic": args.topic, "subject": f"{args.topic}-value", "schema_id": schema_id}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
