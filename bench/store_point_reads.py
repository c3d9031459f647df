"""Point reads and updates by `_id` as a collection grows: the cost should stay flat.

`uv run python -m bench.store_point_reads [--sizes 1000,20000,100000] [--ops 200]`

For each size, fills a fresh collection with documents of ~1.5 KB keyed like loyalty's
receipts (`purchase:<n>`), then times `--ops` `find_one({"_id": ...})` and as many
`update_one({"_id": ...}, {"$set": ...})` at keys spread over the collection, one at a
time. Prints a Markdown table with the median and p99 per operation and the ratio to
the smallest size (1.0 = flat). On stock FerretDB 1.24 the cost grows with the size
(every `_id` filter scanned the table); docs/store.md explains the patch that fixed it.
Uses `MONGODB_URL` (default: the local store) and drops its database at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from pymongo import AsyncMongoClient

from bench.common import infra_env, store_description

DB = "bench_store_point_reads"
PAD = "x" * 1500


async def fill(coll: Any, size: int) -> None:
    for start in range(0, size, 1000):
        end = min(size, start + 1000)
        await coll.insert_many([{"_id": f"purchase:{n}", "pad": PAD} for n in range(start, end)])


async def timed(ops: int, size: int, call: Any) -> list[float]:
    times = []
    for n in range(ops):
        key = f"purchase:{(n * 7919) % size}"
        started = time.perf_counter()
        await call(key, n)
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def run(url: str, sizes: list[int], ops: int) -> list[dict[str, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    rows = []
    try:
        await client.drop_database(DB)
        for size in sizes:
            coll = client[DB][f"receipts_{size}"]
            await fill(coll, size)
            rows.append(await measure(coll, size, ops))
            print(f"{size:>9,} docs: find_one p50 {rows[-1]['find'][0]:.2f} ms, "
                  f"update_one p50 {rows[-1]['update'][0]:.2f} ms", flush=True)  # fmt: skip
            await coll.drop()
    finally:
        await client.drop_database(DB)
        await client.close()
    return rows


async def measure(coll: Any, size: int, ops: int) -> dict[str, Any]:
    reads = await timed(ops, size, lambda k, n: coll.find_one({"_id": k}))
    updates = await timed(ops, size, lambda k, n: coll.update_one({"_id": k}, {"$set": {"n": n}}))
    return {"size": size, "find": summary(reads), "update": summary(updates)}


def table(rows: list[dict[str, Any]], store: str) -> str:
    base = rows[0]
    lines = [
        f"Store: {store}",
        "",
        "| documents | find_one p50 | p99 | x smallest | update_one p50 | p99 | x smallest |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        f, u = r["find"], r["update"]
        lines.append(
            f"| {r['size']:,} | {f[0]:.2f} ms | {f[1]:.2f} ms | {f[0] / base['find'][0]:.2f} "
            f"| {u[0]:.2f} ms | {u[1]:.2f} ms | {u[0] / base['update'][0]:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,20000,100000")
    parser.add_argument("--ops", type=int, default=200)
    args = parser.parse_args()
    url = infra_env()["MONGODB_URL"]
    rows = asyncio.run(run(url, [int(s) for s in args.sizes.split(",")], args.ops))
    print(table(rows, store_description(url)))


if __name__ == "__main__":
    main()
