"""Protocol-level readiness probes for the local infrastructure (standard library only).

    python3 infra/probe.py kafka 127.0.0.1:9092   # Kafka ApiVersions v0 request -> error_code 0
    python3 infra/probe.py mongo 127.0.0.1:27017  # MongoDB OP_MSG {ping: 1}    -> ok: 1

Exits 0 when the server gives a correct answer, 1 otherwise (refused, timeout, garbage).
Used by infra/local.sh, which must not depend on the project's virtualenv.
"""

import socket
import struct
import sys

CORRELATION_ID = 42


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


def _connect(addr: str) -> socket.socket:
    host, port = addr.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=2.0)


def kafka_ok(addr: str) -> bool:
    client_id = b"clientele-probe"
    # Header v1: api_key 18 (ApiVersions), api_version 0, correlation_id, client_id; no body.
    request = struct.pack(">hhih", 18, 0, CORRELATION_ID, len(client_id)) + client_id
    with _connect(addr) as sock:
        sock.sendall(struct.pack(">i", len(request)) + request)
        (size,) = struct.unpack(">i", _recv_exact(sock, 4))
        response = _recv_exact(sock, size)
    correlation_id, error_code = struct.unpack(">ih", response[:6])
    return correlation_id == CORRELATION_ID and error_code == 0


def _bson_ping() -> bytes:
    elements = b"\x10ping\x00" + struct.pack("<i", 1)  # int32 ping: 1
    elements += b"\x02$db\x00" + struct.pack("<i", 6) + b"admin\x00"  # string $db: "admin"
    return struct.pack("<i", len(elements) + 5) + elements + b"\x00"


def mongo_ok(addr: str) -> bool:
    body = struct.pack("<I", 0) + b"\x00" + _bson_ping()  # OP_MSG flagBits, section kind 0
    header = struct.pack("<iiii", 16 + len(body), CORRELATION_ID, 0, 2013)
    with _connect(addr) as sock:
        sock.sendall(header + body)
        (length,) = struct.unpack("<i", _recv_exact(sock, 4))
        response = _recv_exact(sock, length - 4)
    _, response_to, op_code = struct.unpack("<iii", response[:12])
    ok_double = b"\x01ok\x00" + struct.pack("<d", 1.0)
    ok_int = b"\x10ok\x00" + struct.pack("<i", 1)
    return (
        response_to == CORRELATION_ID
        and op_code == 2013
        and (ok_double in response or ok_int in response)
    )


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("kafka", "mongo"):
        print(__doc__, file=sys.stderr)
        return 2
    check = kafka_ok if sys.argv[1] == "kafka" else mongo_ok
    try:
        return 0 if check(sys.argv[2]) else 1
    except (OSError, struct.error):
        return 1


if __name__ == "__main__":
    sys.exit(main())
