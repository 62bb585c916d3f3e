"""QoS 0 to a subscriber that does not keep up: dropped and counted, never reordered.

Ten publishers send QoS 0 messages as fast as TCP takes them to one subscriber of `t/#`
that reads nothing until they are done. QoS 0 does not pause publishers (QoS 1/2 does:
test_backpressure_qos1.py): the broker keeps reading them, takes what the subscriber's output
holds (max_output_buffer_bytes) and drops the rest, counted in /metrics as
akasa_messages_dropped_total{reason="qos0_output_full"}. Checked: every publisher finishes,
what arrives is in order per publisher, and arrived + counted as dropped is everything sent.
"""

import socket
import threading
import time
import unittest
import urllib.request

from akasa_harness import AkasaServer
from mqtt_wire import PacketReader, read_exactly, varint

PUBLISHERS = 10
MESSAGES = 1500
PAYLOAD = 8 * 1024  # 10 x 1500 x 8 KiB = 120 MiB for one subscriber; the output holds 8 MiB


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


def dropped_counts(server):
    """akasa_messages_dropped_total by reason, the nonzero ones."""
    metrics = urllib.request.urlopen(
        f"http://127.0.0.1:{server.http_port}/metrics", timeout=10).read().decode()
    counts = {}
    for line in metrics.splitlines():
        if line.startswith("akasa_messages_dropped_total{"):
            reason = line.split('reason="', 1)[1].split('"', 1)[0]
            value = int(float(line.rsplit(" ", 1)[1]))
            if value:
                counts[reason] = value
    return counts


class Qos0ToASlowSubscriber(unittest.TestCase):
    def test_what_it_cannot_take_is_dropped_and_counted_in_order(self):
        with AkasaServer("worker_threads: 1\n", http="") as server:
            sub = open_client(server.port, "slow-sub")
            sub.sendall(b"\x82\x08\x00\x01\x00\x03t/#\x00")
            self.assertEqual(read_exactly(sub, 5), b"\x90\x03\x00\x01\x00")

            errors = []
            threads = [threading.Thread(target=publisher, args=(server.port, i, errors))
                       for i in range(PUBLISHERS)]
            for t in threads:
                t.start()
            # The subscriber reads nothing meanwhile: were the publishers paused for it
            # (as for QoS 1), they would wait here until it is declared stalled.
            for t in threads:
                t.join(timeout=120)
            self.assertFalse(any(t.is_alive() for t in threads), "publishers did not finish")
            self.assertEqual(errors, [])

            # Now take what the broker kept for it, until arrived + dropped is everything
            # (or nothing more comes).
            total = PUBLISHERS * MESSAGES
            last_seq = [-1] * PUBLISHERS
            received = 0
            reader = PacketReader(sub)
            sub.settimeout(5)
            dropped = {}
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                dropped = dropped_counts(server)
                if received + sum(dropped.values()) >= total:
                    break
                try:
                    first, body = reader.packet()
                except socket.timeout:
                    continue
                self.assertEqual(first >> 4, 3, "only PUBLISH packets are expected")
                topic_len = int.from_bytes(body[:2], "big")
                index = int(body[2:2 + topic_len].decode().split("/")[1])
                seq = int.from_bytes(body[2 + topic_len:10 + topic_len], "big")
                self.assertGreater(seq, last_seq[index], f"publisher {index}: out of order")
                last_seq[index] = seq
                received += 1
            self.assertGreater(received, 0)
            self.assertEqual(list(dropped), ["qos0_output_full"])
            self.assertEqual(received + dropped["qos0_output_full"], total)
            # What the subscriber got is about its output limit (8 MiB) plus what the
            # sockets between held, far less than the 120 MiB sent.
            self.assertLess(received * PAYLOAD, 64 << 20)
            self.assertIn("dropping QoS 0 messages for client slow-sub", server.log_text())
            sub.close()


if __name__ == "__main__":
    unittest.main()
