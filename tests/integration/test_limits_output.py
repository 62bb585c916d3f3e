"""What a client that does not read can make the server hold (security issue, items 5 and
6), against the real binary, measured in the server's resident memory (VmRSS):

- WebSocket pings before CONNECT, never reading the pongs: the server stops reading the
  connection once its pending output passes the connection's limit (the client's send
  blocks), instead of piling up pongs (300 MiB in 5 s before);
- one 17 MB QoS 0 message to 8 subscribers that never read: the payload is sent from the
  message, not copied into each output buffer (160 MiB before), and a subscriber that reads
  still gets it whole;
- QoS 1 messages queued for an offline session: bounded in bytes by
  max_in_mem_pending_bytes, not only in number.

Bounds are generous (tens of MiB where the unbounded server grew by hundreds); nothing is
timed."""

import base64
import os
import socket
import threading
import unittest

from akasa_harness import AkasaServer, free_port
from hook_test_support import RawClient
from limits_support import (MIB, connect_v3, metric_value, metrics, properties, publish_v3,
                            publish_v5, rss_bytes, send_until_blocked,
                            small_receive_buffer_socket, user_property)
from mqtt_wire import PacketReader, read_exactly


def ws_upgrade():
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n").encode()


def masked_ping(payload):
    """A client's ping frame (masked, RFC 6455 5.3), payload at most 125 bytes."""
    mask = b"\x01\x02\x03\x04"
    data = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x89, 0x80 | len(payload)]) + mask + data


class WebSocketPingsBeforeConnect(unittest.TestCase):
    def test_unread_pongs_stop_the_reading(self):
        ws_port = free_port()
        # connect_timeout long enough that the server does not close the connection for
        # want of a CONNECT while the pings flow.
        server = AkasaServer("worker_threads: 1\nconnect_timeout: 300\n",
                             listeners=f"ws:\n  addr: 127.0.0.1:{ws_port}\n",
                             wait_ports=[ws_port])
        with server:
            sock = small_receive_buffer_socket(ws_port)
            sock.sendall(ws_upgrade())
            head = b""
            while b"\r\n\r\n" not in head:
                head += sock.recv(1)  # the 101, then never read again
            self.assertIn(b" 101 ", head.split(b"\r\n")[0])

            before = rss_bytes(server.proc.pid)
            chunk = masked_ping(b"p" * 125) * 512  # 65 KiB of pings, 64 KiB of pongs
            sent = send_until_blocked(sock, chunk, 300 * MIB)
            grown = rss_bytes(server.proc.pid) - before
            # Unbounded, every ping was read and its pong kept: +300 MiB. Now the server
            # stops reading after about 1 MiB of pongs; the kernel's buffers take some more
            # pings, and then the client's send blocks.
            self.assertLess(grown, 64 * MIB, f"server grew by {grown / MIB:.0f} MiB")
            self.assertLess(sent, 100 * MIB, f"the server took {sent / MIB:.0f} MiB of pings")
            sock.close()


SUBSCRIBERS = 8
BIG = 17 * 1000 * 1000


def subscribe_v3(sock, topic, qos):
    t = topic.encode()
    body = b"\x00\x01" + len(t).to_bytes(2, "big") + t + bytes([qos])
    sock.sendall(b"\x82" + bytes([len(body)]) + body)
    if read_exactly(sock, 5)[:4] != b"\x90\x03\x00\x01":
        raise AssertionError("SUBACK expected")


def open_subscriber(port, client_id, topic, qos=0, small_buffer=True, clean=True):
    if small_buffer:
        sock = small_receive_buffer_socket(port)
    else:
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(connect_v3(client_id, clean=clean))
    if read_exactly(sock, 4) != b"\x20\x02\x00\x00":
        raise AssertionError("CONNACK refused")
    subscribe_v3(sock, topic, qos)
    return sock


class LargeMessageFanOut(unittest.TestCase):
    def test_one_large_message_is_not_copied_into_every_output(self):
        with AkasaServer("worker_threads: 1\n", http="") as server:
            idle = [open_subscriber(server.port, f"idle-{i}", "big/t")
                    for i in range(SUBSCRIBERS)]
            reader_sock = open_subscriber(server.port, "reader", "big/t", small_buffer=False)
            received = {}

            def read_one():
                try:
                    first, body = PacketReader(reader_sock).packet()
                    received["packet"] = (first, len(body), body[:7], body[-3:])
                except Exception as e:  # reported below
                    received["error"] = repr(e)

            reader = threading.Thread(target=read_one)
            reader.start()

            before = rss_bytes(server.proc.pid)
            payload = b"x" * (BIG - 3) + b"end"
            pub = socket.create_connection(("127.0.0.1", server.port), timeout=60)
            pub.sendall(connect_v3("publisher"))
            self.assertEqual(read_exactly(pub, 4), b"\x20\x02\x00\x00")
            pub.sendall(publish_v3("big/t", payload))
            reader.join(timeout=120)
            self.assertNotIn("error", received)
            # The subscriber that reads gets the whole message (one packet of 17 MB: more
            # than max_output_buffer_bytes, and delivered all the same).
            first, size, start, end = received["packet"]
            self.assertEqual(first, 0x30)
            self.assertEqual(size, 2 + 5 + BIG)
            self.assertEqual((start, end), (b"\x00\x05big/t", b"end"))
            grown = rss_bytes(server.proc.pid) - before
            # Before: one copy per subscriber's output buffer, +160 MiB. Now the message
            # itself and the publisher's read of it.
            self.assertLess(grown, 80 * MIB, f"server grew by {grown / MIB:.0f} MiB")

            # A second one finds the idle subscribers' outputs full: dropped for them and
            # counted (QoS 0 past max_output_buffer_bytes).
            pub.sendall(publish_v3("big/t", payload))
            first, body = PacketReader(reader_sock).packet()
            self.assertEqual(len(body), 2 + 5 + BIG)
            text = metrics(server)
            self.assertGreaterEqual(
                metric_value(text, "akasa_messages_dropped_total", 'reason="qos0_output_full"'),
                SUBSCRIBERS)
            self.assertGreaterEqual(
                metric_value(text, "akasa_limit_hits_total", 'limit="max_output_buffer_bytes"'),
                SUBSCRIBERS)
            grown = rss_bytes(server.proc.pid) - before
            self.assertLess(grown, 100 * MIB, f"server grew by {grown / MIB:.0f} MiB")
            for sock in idle + [reader_sock, pub]:
                sock.close()


class MessagesJustBelowTheReferenceSize(unittest.TestCase):
    def test_copied_messages_stop_at_the_output_limit(self):
        # Payloads under 64 KiB are copied into the output (not sent by reference), however
        # large the whole message is: 60 KB payloads with a 10 KB User Property to a v5
        # subscriber that never reads stop at max_output_buffer_bytes (8 MiB).
        with AkasaServer("worker_threads: 1\n", http="") as server:
            sub = RawClient(server.port, "idle-v5", version=5)
            sub.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            self.assertEqual(sub.connect(), 0)
            sub.subscribe(["near/t"], qos=0)
            pub = RawClient(server.port, "near-publisher", version=5)
            self.assertEqual(pub.connect(), 0)
            before = rss_bytes(server.proc.pid)
            props = properties(user_property("k", "v" * 10000))
            message = publish_v5("near/t", b"n" * 60000, props=props)
            for _ in range(16):  # 992 messages, 69 MB
                pub.sock.sendall(message * 62)
                pub.ping()
            grown = rss_bytes(server.proc.pid) - before
            self.assertLess(grown, 32 * MIB, f"server grew by {grown / MIB:.0f} MiB")
            self.assertGreater(
                metric_value(metrics(server), "akasa_limit_hits_total",
                             'limit="max_output_buffer_bytes"'), 300)
            sub.close()
            pub.close()


class QueuedBytesPerSession(unittest.TestCase):
    def test_offline_queue_is_bounded_in_bytes(self):
        messages, size = 200, 1024 * 1024  # 200 MiB: within the 256-message count limit
        with AkasaServer("worker_threads: 1\n", http="") as server:
            sub = open_subscriber(server.port, "offline-sub", "q/t", qos=1, small_buffer=False,
                                  clean=False)
            sub.sendall(b"\xe0\x00")  # DISCONNECT: the session stays, offline
            sub.close()

            before = rss_bytes(server.proc.pid)
            pub = RawClient(server.port, "queue-publisher")
            pub.sock.settimeout(60)
            self.assertEqual(pub.connect(), 0)
            body = b"y" * (size - 4)
            for seq in range(messages):
                pub.publish("q/t", seq.to_bytes(4, "big") + body, qos=1, packet_id=seq % 60000 + 1)
            grown = rss_bytes(server.proc.pid) - before
            # Before: all 200 queued, +200 MiB. Now 64 MiB of them (the default).
            self.assertLess(grown, 128 * MIB, f"server grew by {grown / MIB:.0f} MiB")
            text = metrics(server)
            dropped = metric_value(text, "akasa_messages_dropped_total",
                                   'reason="queue_bytes_full"')
            self.assertGreater(dropped, 100)
            self.assertEqual(
                metric_value(text, "akasa_limit_hits_total", 'limit="max_in_mem_pending_bytes"'),
                dropped)

            # The oldest messages were kept, in order, as with the message count limit.
            back = RawClient(server.port, "offline-sub", clean=False)
            back.sock.settimeout(60)
            self.assertEqual(back.connect(), 0)
            kept = messages - int(dropped)
            for seq in range(kept):
                topic, payload, _ = back.next_message()
                self.assertEqual(int.from_bytes(payload[:4], "big"), seq)
            self.assertLessEqual(kept, 65)
            back.ping()  # nothing else was queued
            self.assertEqual(back.held, [])
            back.close()
            pub.close()


if __name__ == "__main__":
    unittest.main()
