"""Shared subscriptions with persistence on (spec 4.8.2, docs/persistence.md): when a member's
connection is lost, its unacknowledged QoS 1 messages move to another online member, and
the store moves with them in one batch: after kill -9 the new member still gets each of
them (at least once) and the old one gets none back (no copy left behind)."""

import tempfile
import time
import unittest

from akasa_harness import AkasaServer, wait_for_log
from hook_test_support import RawClient

WORKERS = "worker_threads: 2\n"  # the members may be on different workers
COUNT = 5


def publishes_until_pingresp(client):
    """PUBLISH packets the server sends before answering a PINGREQ (not acknowledged): a
    round trip, so nothing sent before it can still be on its way."""
    client.send(0xC0, b"")
    publishes = []
    while True:
        kind, flags, body = client.recv_packet()
        if kind == 13:
            return publishes
        if kind == 3:
            publishes.append((flags, body))


def payload_of(flags, body):
    """The payload of a 3.1.1 QoS 1/2 PUBLISH body."""
    topic_len = int.from_bytes(body[:2], "big")
    return body[2 + topic_len + 2:].decode()


class SharedRedispatchPersistenceTests(unittest.TestCase):
    def test_moved_messages_survive_kill9_with_the_new_member_only(self):
        with tempfile.TemporaryDirectory(prefix="akasa-shared-store-") as store:
            server = AkasaServer(WORKERS, persistence_dir=store)
            with server:
                a = RawClient(server.port, "sr-a", 4, clean=False)
                self.assertEqual(a.connect(), 0)
                a.subscribe(["$share/g/jobs"], qos=1)
                pub = RawClient(server.port, "sr-pub", 4)
                self.assertEqual(pub.connect(), 0)
                for i in range(COUNT):
                    pub.publish("jobs", str(i).encode(), qos=1, packet_id=i + 1)
                # A (the only member) gets them all and acknowledges none.
                got_a = [payload_of(*a.recv_packet()[1:]) for _ in range(COUNT)]
                self.assertEqual(sorted(got_a), [str(i) for i in range(COUNT)])

                b = RawClient(server.port, "sr-b", 4, clean=False)
                self.assertEqual(b.connect(), 0)
                b.subscribe(["$share/g/jobs"], qos=1)
                a.close()  # connection lost
                wait_for_log(server, "client sr-a went away")
                # B receives them: A's worker committed the move before posting them.
                got_b = [payload_of(*b.recv_packet()[1:]) for _ in range(COUNT)]
                self.assertEqual(sorted(got_b), [str(i) for i in range(COUNT)])

                # B's inflight records are written within a few ms of the sends (the store
                # batch stays open ~1 ms so quick acknowledgements cancel out); killed before
                # that, the messages would come back as queued ones, without DUP.
                time.sleep(0.5)
                server.kill9()  # B acknowledged nothing
                server.restart()

                b_again = RawClient(server.port, "sr-b", 4, clean=False)
                self.assertEqual(b_again.connect(), 0)
                resent = publishes_until_pingresp(b_again)
                self.assertEqual(sorted(payload_of(f, body) for f, body in resent),
                                 [str(i) for i in range(COUNT)], server.log_text())
                self.assertTrue(all(f & 0x08 for f, _ in resent), "resent with DUP")

                a_again = RawClient(server.port, "sr-a", 4, clean=False)
                self.assertEqual(a_again.connect(), 0)
                self.assertEqual(publishes_until_pingresp(a_again), [], server.log_text())
                for c in (b_again, a_again, pub, b):
                    c.close()


if __name__ == "__main__":
    unittest.main()
