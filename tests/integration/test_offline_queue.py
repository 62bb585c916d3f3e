"""Queues of offline sessions and the memory they hold (docs/persistence.md, "Queued
messages"; docs/configuration.md, max_in_mem_pending_bytes_total), with paho-mqtt clients:

- persistence on: a stored session gets far more messages while offline than the head of
  its queue kept in memory (max_in_mem_pending_messages); the broker's resident memory does
  not grow with them (they are in the store only), before or after a restart, and the client
  receives all of them, in order, when it comes back;
- persistence off: max_in_mem_pending_bytes_total bounds all sessions' queues together: the
  newest messages are dropped, counted in akasa_messages_dropped_total, logged once."""

import os
import tempfile
import threading
import time
import unittest

import paho.mqtt.client as mqtt

from akasa_harness import AkasaServer
from limits_support import MIB, metric_value, metrics, rss_bytes

TIMEOUT = 120.0


def subscribe_and_leave(port, client_id, topic):
    """A persistent 3.1.1 session (clean session 0) with a QoS 1 subscription, then away."""
    subscribed = threading.Event()
    client = mqtt.Client(client_id=client_id, clean_session=False)
    client.on_subscribe = lambda c, u, mid, granted: subscribed.set()
    client.connect("127.0.0.1", port)
    client.loop_start()
    client.subscribe(topic, 1)
    if not subscribed.wait(TIMEOUT):
        raise AssertionError("no SUBACK")
    client.disconnect()
    client.loop_stop()


def publish_numbered(port, topic, count, size):
    """Publishes payloads "<i>:" padded to `size` bytes at QoS 1; returns when all are
    acknowledged."""
    client = mqtt.Client(client_id="numbered-publisher", clean_session=True)
    client.max_inflight_messages_set(100)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    infos = []
    for i in range(count):
        payload = f"{i}:".encode().ljust(size, b".")
        infos.append(client.publish(topic, payload, qos=1))
    for info in infos:
        info.wait_for_publish(TIMEOUT)
        if not info.is_published():
            raise AssertionError("a PUBLISH was not acknowledged")
    client.disconnect()
    client.loop_stop()


def come_back(port, client_id, expected, idle=10.0):
    """Resumes the session and returns the numbers received (first deliveries, in the order
    they came) once `expected` arrived, or once nothing came for `idle` seconds."""
    received = []
    lock = threading.Condition()

    def on_message(client, userdata, message):
        with lock:
            if not message.dup:
                received.append(int(message.payload.split(b":", 1)[0]))
            lock.notify_all()

    client = mqtt.Client(client_id=client_id, clean_session=False)
    client.on_message = on_message
    client.connect("127.0.0.1", port)
    client.loop_start()
    with lock:
        while len(received) < expected:
            before = len(received)
            lock.wait(idle)
            if len(received) == before:
                break
    client.disconnect()
    client.loop_stop()
    return received


class StoredQueuesLiveInTheStore(unittest.TestCase):
    def test_a_queue_longer_than_the_head_comes_back_complete_and_in_order(self):
        count = 3000  # about 12 heads of 256
        with tempfile.TemporaryDirectory(prefix="akasa-queue-") as store, \
                AkasaServer("worker_threads: 2\n", persistence_dir=store) as server:
            subscribe_and_leave(server.port, "away", "q/#")
            publish_numbered(server.port, "q/x", count, 64)
            self.assertEqual(come_back(server.port, "away", count), list(range(count)))
            self.assertIn("session resumed", server.log_text())

    def test_memory_does_not_grow_with_the_queue_before_or_after_a_restart(self):
        # 117 MiB queued for one offline session, more than RocksDB's write buffers (2 x 32
        # MiB) and block cache (8 MiB) hold: a broker that kept the queue in memory grew by
        # about the queue (105 MiB measured), one that keeps only its head by its write
        # buffer in use (40 MiB measured).
        count, size = 30000, 4096
        queued = count * size
        with tempfile.TemporaryDirectory(prefix="akasa-queue-") as store, \
                AkasaServer("worker_threads: 2\n", persistence_dir=store) as server:
            subscribe_and_leave(server.port, "away", "q/#")
            before = rss_bytes(server.proc.pid)
            publish_numbered(server.port, "q/x", count, size)
            grown = rss_bytes(server.proc.pid) - before
            print(f"RSS {before / MIB:.0f} MiB, {grown / MIB:.0f} MiB more with "
                  f"{queued / MIB:.0f} MiB queued")
            self.assertLess(grown, queued * 3 // 5,
                            f"RSS grew {grown / MIB:.0f} MiB for {queued / MIB:.0f} MiB queued")

            self.assertEqual(server.stop(), 0)
            server.restart()
            # Recovery loads the head only: the queue is not in memory again.
            after_restart = rss_bytes(server.proc.pid)
            print(f"RSS after the restart {after_restart / MIB:.0f} MiB")
            self.assertLess(after_restart - before, queued // 2,
                            f"after the restart RSS is {after_restart / MIB:.0f} MiB")
            self.assertEqual(come_back(server.port, "away", count), list(range(count)))


class TotalQueueBoundWithoutPersistence(unittest.TestCase):
    def test_the_newest_are_dropped_counted_and_logged_once(self):
        bound = 200 * 1024
        with AkasaServer(f"worker_threads: 1\nmax_in_mem_pending_bytes_total: {bound}\n",
                         http="") as server:
            for client_id in ("away1", "away2"):
                subscribe_and_leave(server.port, client_id, "q/#")
            publish_numbered(server.port, "q/x", 100, 4096)
            text = metrics(server)
            dropped = metric_value(text, "akasa_messages_dropped_total",
                                   'reason="queue_total_bytes_full"')
            self.assertGreater(dropped, 0)
            self.assertEqual(metric_value(text, "akasa_limit_hits_total",
                                          'limit="max_in_mem_pending_bytes_total"'), dropped)
            self.assertEqual(server.log_text().count("(max_in_mem_pending_bytes_total)"), 1)
            kept = 0
            for client_id in ("away1", "away2"):
                numbers = come_back(server.port, client_id, 100, idle=3.0)
                # The oldest are kept: each queue is a prefix of what was published.
                self.assertEqual(numbers, list(range(len(numbers))))
                kept += len(numbers)
            self.assertEqual(kept + dropped, 200)
            self.assertLessEqual(kept * 4096, bound)


if __name__ == "__main__":
    unittest.main()
