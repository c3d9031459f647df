"""HTTP load generator, run as its own process on loopback; it stops by itself.

A minimal HTTP/1.1 keep-alive client on asyncio streams (cheap per request, so the
generator takes as little of the shared CPU as possible). Two modes:

- `closed`: N connections send back to back until `--duration` or `--max-requests`
  (the maximum load a server sustains);
- `open`: requests start on a fixed schedule at `--rate` per second; latency is
  measured from the scheduled start, so queueing is counted (no coordinated omission).

Prints one JSON line: count, errors, statuses, elapsed, throughput, latencies (ms).
`{i}` in the path or body is replaced by a unique sequence number, `{id}` in the path
by the next id from `--ids-file` (round robin).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from pathlib import Path


class Connection:
    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.fixed = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None) -> int:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.fixed}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write((head + "\r\n").encode() + (body or b""))
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed by server")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        if chunked:
            while size := int((await self.reader.readline()).strip(), 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readline()
        elif length:
            await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Load:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.headers = dict(h.split(":", 1) for h in args.header)
        self.seq = args.seq_start
        self.ids = Path(args.ids_file).read_text().split() if args.ids_file else []
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.errors = 0

    def next_request(self) -> tuple[str, bytes | None]:
        i = self.seq
        self.seq += 1
        path = self.args.path.replace("{i}", str(i))
        if self.ids:
            path = path.replace("{id}", self.ids[i % len(self.ids)])
        body = self.args.body.replace("{i}", str(i)).encode() if self.args.body else None
        return path, body

    async def one(self, conn: Connection, started: float) -> None:
        path, body = self.next_request()
        try:
            status = await conn.request(self.args.method, path, body)
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            conn.close()
            self.errors += 1
            return
        self.statuses[str(status)] += 1
        if status < 400 or str(status) in self.args.ok_status:
            self.latencies.append((time.perf_counter() - started) * 1000)
        else:
            self.errors += 1

    async def closed_loop(self, deadline: float) -> None:
        async def worker() -> None:
            conn = Connection(self.args.host, self.args.port, self.headers)
            while time.perf_counter() < deadline and self.sent < self.args.max_requests:
                self.sent += 1
                await self.one(conn, time.perf_counter())
            conn.close()

        self.sent = 0
        await asyncio.gather(*(worker() for _ in range(self.args.concurrency)))

    async def open_loop(self, deadline: float, start: float) -> None:
        idle: asyncio.Queue[Connection] = asyncio.Queue()
        for _ in range(self.args.concurrency):
            idle.put_nowait(Connection(self.args.host, self.args.port, self.headers))
        interval = 1.0 / self.args.rate
        tasks: set[asyncio.Task[None]] = set()

        async def send(scheduled: float) -> None:
            conn = await idle.get()
            try:
                await self.one(conn, scheduled)
            finally:
                idle.put_nowait(conn)

        n = 0
        while n < self.args.max_requests:
            scheduled = start + n * interval
            if scheduled >= deadline:
                break
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(send(scheduled))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            n += 1
        if tasks:
            await asyncio.wait(tasks, timeout=10)

    async def run(self) -> dict[str, object]:
        start = time.perf_counter()
        deadline = start + self.args.duration
        if self.args.mode == "closed":
            await self.closed_loop(deadline)
        else:
            await self.open_loop(deadline, start)
        elapsed = time.perf_counter() - start
        return {
            "count": len(self.latencies),
            "errors": self.errors,
            "statuses": dict(self.statuses),
            "elapsed_s": elapsed,
            "throughput": len(self.latencies) / elapsed,
            "latencies_ms": self.latencies,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--path", required=True)
    parser.add_argument("--body", default="")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--ok-status", action="append", default=[])
    parser.add_argument("--mode", choices=("closed", "open"), default="closed")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--seq-start", type=int, default=0)
    parser.add_argument("--ids-file", default="", help="ids for `{id}`, whitespace-separated")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(Load(args).run())))


if __name__ == "__main__":
    main()
