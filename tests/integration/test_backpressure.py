"""Back-pressure: publishers flooding a slower subscriber are slowed down, not dropped.

Ten publishers send QoS 0 messages as fast as TCP takes them to one subscriber of `t/#`
that reads more slowly (plain Python parsing every packet). Without back-pressure the
broker's output buffer for that subscriber overflows and QoS 0 messages are dropped; with it
the broker stops reading the publishers until the subscriber catches up, so every message
arrives, in order per publisher, and the broker's memory stays bounded (checked through
/metrics: no message counted as dropped).
"""

import socket
import threading
import unittest
import urllib.request

from akasa_harness import AkasaServer
from mqtt_wire import PacketReader, read_exactly, varint

PUBLISHERS = 10
MESSAGES = 1500
PAYLOAD = 8 * 1024  # 10 x 1500 x 8 KiB = 120 MiB through one subscriber


def connect_packet(client_id):
    cid = client_id.encode()
    body = b"\x00\x04MQTT\x04\x02\x00\x3c" + len(cid).to_bytes(2, "big") + cid
    return b"\x10" + varint(len(body)) + body


def publish_packet(topic, payload):
    t = topic.encode()
    body = len(t).to_bytes(2, "big") + t + payload
    return b"\x30" + varint(len(body)) + body


def open_client(port, client_id):
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(connect_packet(client_id))
    if read_exactly(sock, 4) != b"\x20\x02\x00\x00":
        raise AssertionError("CONNACK refused")
    return sock


def publisher(port, index, errors):
    try:
        sock = open_client(port, f"pub-{index}")
        topic = f"t/{index}"
        filler = b"x" * (PAYLOAD - 8)
        batch = bytearray()
        for seq in range(MESSAGES):
            batch += publish_packet(topic, seq.to_bytes(8, "big") + filler)
            if len(batch) >= 256 * 1024:
                sock.sendall(batch)
                batch.clear()
        sock.sendall(batch)
        # DISCONNECT: a normal end; the broker has read every PUBLISH before it.
        sock.sendall(b"\xe0\x00")
        sock.close()
    except Exception as e:  # reported by the test thread
        errors.append(f"publisher {index}: {e!r}")


class Backpressure(unittest.TestCase):
    def test_fan_in_flood_loses_nothing(self):
        with AkasaServer("worker_threads: 1\n", http="") as server:
            sub = open_client(server.port, "slow-sub")
            sub.sendall(b"\x82\x08\x00\x01\x00\x03t/#\x00")
            self.assertEqual(read_exactly(sub, 5), b"\x90\x03\x00\x01\x00")

            errors = []
            threads = [threading.Thread(target=publisher, args=(server.port, i, errors))
                       for i in range(PUBLISHERS)]
            for t in threads:
                t.start()

            next_seq = [0] * PUBLISHERS
            received = 0
            reader = PacketReader(sub)
            while received < PUBLISHERS * MESSAGES:
                first, body = reader.packet()
                self.assertEqual(first >> 4, 3, "only PUBLISH packets are expected")
                topic_len = int.from_bytes(body[:2], "big")
                index = int(body[2:2 + topic_len].decode().split("/")[1])
                seq = int.from_bytes(body[2 + topic_len:10 + topic_len], "big")
                self.assertEqual(seq, next_seq[index],
                                 f"publisher {index}: expected {next_seq[index]}, got {seq}")
                next_seq[index] += 1
                received += 1
            for t in threads:
                t.join()
            self.assertEqual(errors, [])
            self.assertEqual(next_seq, [MESSAGES] * PUBLISHERS)

            metrics = urllib.request.urlopen(
                f"http://127.0.0.1:{server.http_port}/metrics", timeout=10).read().decode()
            dropped = [line for line in metrics.splitlines()
                       if line.startswith("akasa_messages_dropped_total") and
                       not line.endswith(" 0")]
            self.assertEqual(dropped, [])
            sub.close()


if __name__ == "__main__":
    unittest.main()
