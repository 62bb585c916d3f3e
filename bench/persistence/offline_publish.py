#!/usr/bin/python3
"""Publishing to offline persistent sessions: the case where every message is stored.

SESSIONS persistent MQTT 3.1.1 sessions (clean session 0) subscribe to one topic at QoS 1 and
disconnect; then one publisher pipelines COUNT QoS 1 PUBLISHes (64-byte payloads, at most
WINDOW unacknowledged) and the script reports acknowledged publishes per second and the
queued copies per second that implies (one per session). Raw sockets, no MQTT library, so
the client costs little next to the broker.

  bench/persistence/offline_publish.py PORT [--sessions 10] [--count 50000] [--window 100]
      [--broker-pid PID]

With --broker-pid, also the broker's CPU time (all its threads, user + system) while the
publishes ran, per publish: a figure other load on the machine disturbs far less than the
rate does.

Prints one JSON line. Used by `bench/persistence/persistence_ab.sh --offline` (persistence off vs on).
"""
import argparse
import json
import os
import socket
import struct
import sys
import time

# The raw MQTT framing the integration tests use.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/integration"))
from mqtt_wire import mqtt_string, packet, read_exactly  # noqa: E402


def recv_exact(sock, n):
    data = read_exactly(sock, n)
    if len(data) < n:
        raise SystemExit("connection closed by the broker")
    return data


def connect(port, client_id, clean):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    flags = 0x02 if clean else 0x00
    body = mqtt_string("MQTT") + bytes([4, flags]) + struct.pack("!H", 60) + mqtt_string(client_id)
    sock.sendall(packet(0x10, body))
    reply = recv_exact(sock, 4)
    if reply[0] != 0x20 or reply[3] != 0:
        raise SystemExit(f"CONNECT of {client_id} refused: {reply!r}")
    return sock


def broker_cpu_s(pid):
    """The process's user + system CPU seconds (0 without a pid)."""
    if not pid:
        return 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--count", type=int, default=50000)
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--topic", default="bench/offline")
    parser.add_argument("--broker-pid", type=int, default=0)
    args = parser.parse_args()

    for i in range(args.sessions):
        sub = connect(args.port, f"offline-sub-{i}", clean=False)
        sub.sendall(packet(0x82, struct.pack("!H", 1) + mqtt_string(args.topic) + b"\x01"))
        suback = recv_exact(sub, 5)
        if suback[0] != 0x90 or suback[4] != 1:
            raise SystemExit(f"SUBSCRIBE refused: {suback!r}")
        sub.sendall(packet(0xE0, b""))  # DISCONNECT: the session stays, offline
        sub.close()

    pub = connect(args.port, "offline-publisher", clean=True)
    payload = b"x" * 64
    topic = mqtt_string(args.topic)
    sent = acked = 0
    pending = b""
    start = time.monotonic()
    cpu_start = broker_cpu_s(args.broker_pid)
    while acked < args.count:
        burst = []
        while sent < args.count and sent - acked < args.window:
            packet_id = sent % 65535 + 1
            burst.append(packet(0x32, topic + struct.pack("!H", packet_id) + payload))
            sent += 1
        if burst:
            pub.sendall(b"".join(burst))
        pending += pub.recv(65536)
        while len(pending) >= 4:
            if pending[0] != 0x40:
                raise SystemExit(f"expected PUBACK, got {pending[:4]!r}")
            pending = pending[4:]
            acked += 1
    elapsed = time.monotonic() - start
    cpu = broker_cpu_s(args.broker_pid) - cpu_start
    pub.sendall(packet(0xE0, b""))
    pub.close()
    result = {
        "sessions": args.sessions,
        "publishes": args.count,
        "seconds": round(elapsed, 3),
        "acked_per_s": round(args.count / elapsed),
        "queued_copies_per_s": round(args.count * args.sessions / elapsed),
    }
    if args.broker_pid:
        result["broker_cpu_s"] = round(cpu, 3)
        result["broker_cpu_us_per_publish"] = round(cpu * 1e6 / args.count, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
