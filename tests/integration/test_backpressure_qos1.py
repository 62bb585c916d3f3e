"""Back-pressure keeps QoS 1 messages: with the default queue limit (max_in_mem_pending_messages
256), publishers that outpace their subscribers are paused, on the subscriber's worker and
across workers, instead of filling the subscribers' queues until acknowledged messages are
dropped: also with many publishers feeding one subscriber.

The load comes from akasa-bench (the project's load tool), which stamps a sequence number in
every payload: `gaps` counts messages skipped mid-stream (dropped), `lost` what never
arrived. Both must be 0. Skipped where the tool is not built (the sanitizer build)."""

import json
import socket
import os
import subprocess
import unittest

from akasa_harness import BINARY, AkasaServer
from mqtt_wire import PacketReader
from test_backpressure import open_client

BENCH = os.path.join(os.path.dirname(BINARY), "bench", "akasa-bench")


def run_bench(server, *layout):
    command = [BENCH, "pubsub", "--port", str(server.port), "--qos", "1", "--max-inflight", "10",
               "--warmup", "0.5", "--duration", "3", "--drain", "20", "--json", *layout]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise AssertionError(f"akasa-bench printed no result: {done.stderr}")
    return json.loads(lines[-1])


@unittest.skipUnless(os.access(BENCH, os.X_OK), "akasa-bench is not built here")
class QoS1Backpressure(unittest.TestCase):
    def check(self, result):
        self.assertTrue(result["ok"], result["error"])
        self.assertGreater(result["received_total"], 0)
        self.assertEqual(result["gaps"], 0, "QoS 1 messages were dropped mid-stream")
        self.assertEqual(result["lost"], 0, "QoS 1 messages never arrived")
        self.assertEqual(result["received_total"], result["expected_total"])

    def test_pairs_across_two_workers_lose_nothing(self):
        # Half of the pairs have publisher and subscriber on different workers: the
        # subscriber's worker pauses the publisher on the other one.
        with AkasaServer("worker_threads: 2\n") as server:
            self.check(run_bench(server, "--layout", "pairs", "-P", "100", "-S", "100"))
            self.assertNotIn("is full", server.log_text())

    def test_fan_in_on_one_worker_loses_nothing(self):
        # 300 publishers x 10 in flight is more than the queue limit of the one subscriber
        # even with its allowance for congestion (8 x 256): a publisher stops within its read
        # at the first message that finds the subscriber congested.
        with AkasaServer("worker_threads: 1\n") as server:
            self.check(run_bench(server, "--layout", "fanin", "-P", "300", "-S", "1"))
            self.assertNotIn("is full", server.log_text())

    def test_fan_in_across_two_workers_loses_nothing(self):
        # The publishers on the worker without the subscriber are acknowledged as soon as
        # their messages are routed: their worker pauses them itself while the subscriber
        # (or its worker's inbox) is congested.
        with AkasaServer("worker_threads: 2\n") as server:
            self.check(run_bench(server, "--layout", "fanin", "-P", "300", "-S", "1"))
            self.assertNotIn("is full", server.log_text())



class DeepQueuePausesEarly(unittest.TestCase):
    """A queue limit far above the default still pauses publishers once a subscriber has
    about half the default queue (128) waiting: a deeper queue would not make the subscriber
    faster, only the messages later. Nothing is lost: when the subscriber acknowledges, every
    message arrives and every PUBLISH is acknowledged."""

    MESSAGES = 5000

    def test_publisher_is_paused_long_before_the_limit(self):
        with AkasaServer("worker_threads: 1\nmax_in_mem_pending_messages: 1000000\n") as server:
            sub = open_client(server.port, "deep-sub")
            sub.sendall(b"\x82\x06\x00\x01\x00\x01t\x01")  # SUBSCRIBE t, QoS 1
            sub_reader = PacketReader(sub)
            self.assertEqual(sub_reader.packet(), (0x90, b"\x00\x01\x01"))

            pub = open_client(server.port, "deep-pub")
            burst = bytearray()
            for packet_id in range(1, self.MESSAGES + 1):
                body = b"\x00\x01t" + packet_id.to_bytes(2, "big") + b"payload"
                burst += bytes([0x32, len(body)]) + body
            pub.sendall(burst)

            # The subscriber reads nothing and acknowledges nothing yet. Count the PUBACKs
            # until none came for 0.5 s (well before a congested subscriber counts as
            # stalled, after 2 s, and stops pausing its publishers).
            pub_reader = PacketReader(pub)
            pub.settimeout(0.5)
            acked = 0
            try:
                while acked < self.MESSAGES:
                    self.assertEqual(pub_reader.packet()[0], 0x40)
                    acked += 1
            except socket.timeout:
                pass
            self.assertLess(acked, 1000,
                            "the publisher was not paused: its subscriber's queue kept growing")

            # Now the subscriber takes everything, acknowledging each message.
            received = 0
            while received < self.MESSAGES:
                first, body = sub_reader.packet()
                self.assertEqual(first & 0xF0, 0x30)
                sub.sendall(b"\x40\x02" + body[3:5])
                received += 1
            pub.settimeout(30)
            while acked < self.MESSAGES:
                self.assertEqual(pub_reader.packet()[0], 0x40)
                acked += 1


if __name__ == "__main__":
    unittest.main()
