"""Shared by the memory-limit tests (test_limits_*.py): the server's resident memory from
/proc, its Prometheus metrics, and raw MQTT 5 packets with the properties the attacks use
(User Properties, Topic Alias) that client libraries do not send in such numbers."""

import os
import socket
import struct
import urllib.request

from mqtt_wire import mqtt_string, packet, varint

MIB = 1024 * 1024

# Under AddressSanitizer (make test-asan) freed memory waits in a quarantine, which would count
# as growth in the resident memory these tests bound: the servers they start free it at once
# (other ASan checks stay on). A binary without ASan ignores the variable.
os.environ["ASAN_OPTIONS"] = ":".join(
    option for option in (os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=0",
                          "thread_local_quarantine_size_kb=0") if option)


def under_asan(pid):
    """True when process `pid` runs with AddressSanitizer (its runtime library is mapped):
    its resident memory then holds ASan's shadow memory and allocator metadata too, far
    more than the server's own."""
    with open(f"/proc/{pid}/maps") as f:
        return any("libasan" in line for line in f)


def rss_bytes(pid):
    """Resident memory of process `pid` (VmRSS of /proc/PID/status), in bytes."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS in /proc/{pid}/status")


def metrics(server):
    """The server's /metrics text (the server must have an http listener)."""
    url = f"http://127.0.0.1:{server.http_port}/metrics"
    return urllib.request.urlopen(url, timeout=10).read().decode()


def metric_value(text, name, labels=""):
    """The value of `name{labels}` in a /metrics text; 0 when the line is absent."""
    prefix = f"{name}{{{labels}}} " if labels else f"{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line[len(prefix):])
    return 0.0


def properties(*encoded):
    """A v5 property block: its length, then the properties."""
    body = b"".join(encoded)
    return varint(len(body)) + body


def user_property(key, value):
    return b"\x26" + mqtt_string(key) + mqtt_string(value)


def topic_alias(alias):
    return b"\x23" + struct.pack("!H", alias)


def publish_v5(topic, payload=b"", qos=0, packet_id=1, retain=False, props=b"\x00"):
    """A whole v5 PUBLISH packet; `props` is a property block (properties())."""
    body = mqtt_string(topic) + (struct.pack("!H", packet_id) if qos else b"") + props + payload
    return packet(0x30 | (qos << 1) | (1 if retain else 0), body)


def publish_v3(topic, payload, qos=0, packet_id=1):
    body = mqtt_string(topic) + (struct.pack("!H", packet_id) if qos else b"") + payload
    return packet(0x30 | (qos << 1), body)


def connect_v3(client_id, clean=True, keep_alive=0):
    body = mqtt_string("MQTT") + bytes([4, 0x02 if clean else 0]) + struct.pack("!H", keep_alive)
    return packet(0x10, body + mqtt_string(client_id))


def small_receive_buffer_socket(port):
    """A connected socket whose receive buffer is small, so that a client which never reads
    leaves what the server sends in the server's memory rather than in the kernel's."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    return sock


def send_until_blocked(sock, chunk, limit, timeout=3.0):
    """Sends `chunk` again and again until `limit` bytes went out or a send waited
    `timeout` seconds (the server stopped reading: the kernel buffers are full). Returns the
    bytes sent; a closed connection ends the sending too."""
    sock.settimeout(timeout)
    sent = 0
    try:
        while sent < limit:
            sock.sendall(chunk)
            sent += len(chunk)
    except (socket.timeout, ConnectionError, BrokenPipeError):
        pass
    return sent
