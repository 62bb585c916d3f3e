"""The broker with its store on a full disk (docs/persistence.md, "Full disk" and "A write that
fails"): the store lives on a small tmpfs the test mounts (root only; otherwise the test is
skipped and says why). Once the tmpfs is filled, a QoS 1 or QoS 2 PUBLISH that must be stored
is not acknowledged (the connection is closed without its PUBACK / PUBREC), a new stored
session gets no CONNACK, the log says why and the process keeps running; when space is back
the same work is accepted again, and after a kill -9 and a restart every message that was
acknowledged reaches the offline subscriber."""

import errno
import os
import struct
import subprocess
import tempfile
import unittest

from akasa_harness import AkasaServer, wait_for_log
from hook_test_support import RawClient
from mqtt_wire import mqtt_string

WORKERS = "worker_threads: 2\nmax_in_db_pending_messages: 100000\n"
TMPFS_SIZE = "8m"
PAYLOAD = 4096  # bytes per message: the tmpfs holds about 2000 of them
MAX_MESSAGES = 10000  # far more than fit: the loop must end by a refusal


def payload(i):
    return (f"m{i:05d}-".encode() * (PAYLOAD // 7 + 1))[:PAYLOAD]


def publish_outcome(client, topic, body, qos, packet_id):
    """Publishes and reports what came back: "acked" (PUBACK, or PUBREC then PUBCOMP),
    "closed" (the server closed the connection), "no answer" (nothing within the client's
    timeout), or ("other", packet type, body)."""
    props = b"\x00" if client.version == 5 else b""
    client.send(0x30 | (qos << 1), mqtt_string(topic) + struct.pack("!H", packet_id) + props +
                body)
    try:
        kind, _, ack = client.recv_packet()
        if qos == 2 and kind == 5:
            client.send(0x62, struct.pack("!H", packet_id))
            kind, _, ack = client.recv_packet()
            if kind == 7:
                return "acked"
        elif qos == 1 and kind == 4:
            code = ack[2] if len(ack) > 2 else 0
            return "acked" if code == 0 else ("other", kind, bytes(ack).hex())
        return ("other", kind, bytes(ack).hex())
    except TimeoutError:
        return "no answer"
    except (ConnectionError, OSError):
        return "closed"


def fill(path, append=False):
    """Writes `path` until the file system is full; returns the bytes written."""
    written = 0
    chunk = b"\0" * 65536
    with open(path, "ab" if append else "wb", buffering=0) as f:
        while True:
            try:
                written += f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                try:  # the last partial chunk
                    written += f.write(b"\0" * 512)
                except OSError:
                    pass
                return written


class FullDiskTests(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("mounting a tmpfs needs root; this test runs as uid "
                          f"{os.geteuid()}")
        self.mnt = tempfile.mkdtemp(prefix="akasa-tmpfs-")
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", self.mnt],
            capture_output=True, text=True)
        if result.returncode != 0:
            os.rmdir(self.mnt)
            self.skipTest(f"cannot mount a tmpfs here (mount exited {result.returncode}: "
                          f"{result.stderr.strip()})")

    def tearDown(self):
        subprocess.run(["umount", "-l", self.mnt], check=False)
        os.rmdir(self.mnt)

    def test_full_disk_refuses_what_it_cannot_store_and_loses_nothing_acknowledged(self):
        store = os.path.join(self.mnt, "data")
        filler = os.path.join(self.mnt, "filler")
        with AkasaServer(WORKERS, persistence_dir=store) as server:
            try:
                self.check_full_disk(server, filler)
            except Exception as e:
                raise AssertionError(f"{e!r}\nserver log (tail):\n{server.log_text()[-6000:]}")

    def check_full_disk(self, server, filler):
        # An offline stored session: each QoS 1 message to it is a queued record.
        keeper = RawClient(server.port, "keeper", 4, clean=False)
        self.assertEqual(keeper.connect(), 0)
        self.assertEqual(keeper.subscribe(["data/#"]), [1])
        keeper.close()

        acked = []
        pub = RawClient(server.port, "pub", 5)
        self.assertEqual(pub.connect(), 0)
        for i in range(20):
            self.assertEqual(publish_outcome(pub, f"data/{i}", payload(i), 1, 1), "acked")
            acked.append(i)

        # The disk is full: publish until the broker refuses one.
        self.assertGreater(fill(filler), 0)
        refused = None
        for i in range(20, MAX_MESSAGES):
            outcome = publish_outcome(pub, f"data/{i}", payload(i), 1, 1 + i % 60000)
            if outcome == "acked":
                acked.append(i)
                continue
            self.assertEqual(outcome, "closed", f"message {i}: no PUBACK but {outcome}")
            refused = i
            break
        pub.close()
        self.assertIsNotNone(refused, f"{MAX_MESSAGES} messages acknowledged on a full disk")
        log = wait_for_log(server, "No space left on device")
        self.assertIn("closing the connections whose acknowledgements it held", log)
        self.assertIsNone(server.proc.poll(), "the broker exited on a full disk")

        # Still full: QoS 1 (v3.1.1) and QoS 2 (v5) are refused again, and so is a new
        # stored session (its CONNACK stands for a session record). A failed write makes
        # the store reopen RocksDB at the next write, which can free a little space (the
        # log file it had preallocated), so a few more writes may fit and be
        # acknowledged first: each kind of work is tried until it is refused, topping the
        # filler up in between.
        def publish_v3(n):
            c = RawClient(server.port, f"pub3-{n}", 4)
            self.assertEqual(c.connect(), 0)
            return c, publish_outcome(c, f"data/{n}", payload(n), 1, 7)

        def publish_v5_qos2(n):
            c = RawClient(server.port, f"pub5-{n}", 5)
            self.assertEqual(c.connect(), 0)
            return c, publish_outcome(c, f"data/{n}", payload(n), 2, 8)

        def connect_stored(n):
            c = RawClient(server.port, f"newcomer-{n}", 5, clean=False)
            try:
                return c, "acked" if c.connect() == 0 else "refused"
            except TimeoutError:
                return c, "no answer"
            except (ConnectionError, OSError):
                return c, "closed"

        first = MAX_MESSAGES
        for attempt, publishes in ((publish_v3, True), (publish_v5_qos2, True),
                                   (connect_stored, False)):
            for n in range(first, first + 50):
                fill(filler, append=True)
                client, outcome = attempt(n)
                client.close()
                if outcome != "acked":
                    self.assertEqual(outcome, "closed", f"{attempt.__name__}: {outcome}")
                    break
                if publishes:
                    acked.append(n)
            else:
                self.fail(f"{attempt.__name__}: 50 attempts accepted on a full disk")
            first += 50
        self.assertIsNone(server.proc.poll(), "the broker exited on a full disk")

        # Space is back: the same work is accepted (the store reopens on the next write).
        os.unlink(filler)
        pub = RawClient(server.port, "pub", 5)
        self.assertEqual(pub.connect(), 0)
        for i in range(first, first + 20):
            self.assertEqual(publish_outcome(pub, f"data/{i}", payload(i), 1, 1), "acked")
            acked.append(i)
        pub.close()

        # Nothing acknowledged is lost, also across a crash.
        server.kill9()
        server.restart()
        keeper = RawClient(server.port, "keeper", 4, clean=False)
        self.assertEqual(keeper.connect(), 0)
        received = set()
        wanted = {f"data/{i}" for i in acked}
        while not wanted <= received:
            topic, body, _ = keeper.next_message()
            received.add(topic)
            i = int(topic.split("/")[1]) if topic.split("/")[1].isdigit() else None
            if i is not None and topic in wanted:
                self.assertEqual(body, payload(i), topic)
        keeper.close()


if __name__ == "__main__":
    unittest.main()
