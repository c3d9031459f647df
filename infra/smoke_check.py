"""End-to-end check of the local infrastructure with the project's real client libraries.

    python infra/smoke_check.py   # after `infra/local.sh up`; needs aiokafka and pymongo

Kafka: create a 3-partition topic (AIOKafkaAdminClient), produce one message, consume it
through a consumer group, delete the topic. FerretDB: ping, insert a document, find it.
Reads KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL (defaults: the local.sh ports).
"""

import asyncio
import os
import sys
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
MONGODB_URL = os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27017")


async def check_kafka() -> None:
    topic = f"smoke-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
        partitions = (await admin.describe_topics([topic]))[0]["partitions"]
        assert len(partitions) == 3, partitions
        async with AIOKafkaProducer(
            bootstrap_servers=BOOTSTRAP, enable_idempotence=True
        ) as producer:
            await asyncio.wait_for(producer.send_and_wait(topic, b"hello", key=b"k1"), 10)
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=BOOTSTRAP,
            group_id=f"{topic}-group",
            auto_offset_reset="earliest",
        )
        async with consumer:
            message = await asyncio.wait_for(consumer.getone(), 30)
            assert message.value == b"hello", message
            await consumer.commit()
        print(f"kafka ok: {BOOTSTRAP}, topic {topic} (3 partitions), partition {message.partition}")
    finally:
        await admin.delete_topics([topic])
        await admin.close()


async def check_mongo() -> None:
    client = AsyncMongoClient(MONGODB_URL, serverSelectionTimeoutMS=5000)
    try:
        await client.admin.command("ping")
        collection = client["smoke_check"]["docs"]
        doc_id = uuid.uuid4().hex
        await collection.insert_one({"_id": doc_id, "amount_cents": 1234})
        found = await collection.find_one({"_id": doc_id})
        assert found == {"_id": doc_id, "amount_cents": 1234}, found
        await collection.delete_one({"_id": doc_id})
        print(f"mongo ok: {MONGODB_URL}, ping + insert/find/delete")
    finally:
        await client.close()


async def main() -> int:
    await check_kafka()
    await check_mongo()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
