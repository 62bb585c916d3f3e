"""A stored session's queue past its in-memory head (max_in_mem_pending_messages) survives a
crash: the broker is killed with SIGKILL and restarted on the same store, and the client
gets every message the broker acknowledged, in order (docs/persistence.md, "Queued
messages"). The head is small, so most of the queue is in the store only and comes back
through the store's reads of the queue, before and after the restart:

- killed while the client is away: it gets all of it, each once;
- killed while the client is draining: it gets the rest, in order; what it had taken before
  may come again (QoS 1: at least once), nothing is missing."""

import tempfile
import unittest

from akasa_harness import AkasaServer
from limits_support import metric_value, metrics
from offline_queue_support import Resumed, publish_numbered, subscribe_and_leave

HEAD = 16
COUNT = 600
CONFIG = f"worker_threads: 2\nmax_in_mem_pending_messages: {HEAD}\n"


class StoredTailSurvivesKill9(unittest.TestCase):
    def queue_while_away(self, server):
        """COUNT messages for the offline session "away", all acknowledged; most of them
        are in the store only."""
        subscribe_and_leave(server.port, "away", "q/#")
        publish_numbered(server.port, "q/x", COUNT, 64)
        in_store = metric_value(metrics(server), "akasa_messages_queued_in_store_total")
        self.assertGreaterEqual(in_store, COUNT - HEAD)

    def kill9_and_restart(self, server):
        self.assertEqual(server.kill9(), -9)
        server.restart()

    def test_killed_while_the_client_is_away(self):
        with tempfile.TemporaryDirectory(prefix="akasa-queue-") as store, \
                AkasaServer(CONFIG, http="", persistence_dir=store) as server:
            self.queue_while_away(server)
            self.kill9_and_restart(server)
            session = Resumed(server.port, "away")
            session.wait_for(COUNT)
            session.close()
            # Nothing was in flight before the crash: each message comes exactly once.
            self.assertEqual(session.numbers(), list(range(COUNT)))

    def test_killed_while_the_client_drains_its_queue(self):
        with tempfile.TemporaryDirectory(prefix="akasa-queue-") as store, \
                AkasaServer(CONFIG, http="", persistence_dir=store) as server:
            self.queue_while_away(server)
            first = Resumed(server.port, "away")
            first.wait_for(COUNT // 3)  # several heads read back from the store
            self.kill9_and_restart(server)
            first.close()
            before = first.numbers()
            # Before the crash: the start of the queue, in order, each once.
            self.assertEqual(before, list(range(len(before))))
            self.assertLess(len(before), COUNT, "the crash came after the whole queue")

            # Resent messages (DUP) count too: one the broker had sent and the crash cut off
            # comes again flagged as a resend.
            second = Resumed(server.port, "away")
            second.wait_until(lambda: COUNT - 1 in second.numbers())
            second.close()
            after = second.numbers()
            print(f"{len(before)} before the crash, {len(after)} after it, "
                  f"{len(set(before) & set(after))} of them again")
            # After it: the rest of the queue, in order; it may start with messages the
            # client had taken (their removal from the store was not written yet), never
            # after a message it had not.
            self.assertEqual(after, sorted(set(after)), "out of order or twice after the crash")
            self.assertTrue(after and after[0] <= len(before), f"a gap: {after[:5]}")
            self.assertEqual(sorted(set(before) | set(after)), list(range(COUNT)))


if __name__ == "__main__":
    unittest.main()
