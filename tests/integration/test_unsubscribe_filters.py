"""UNSUBSCRIBE with malformed filters (issue 16 item 13), against the real binary: each
malformed filter gets 0x8F (Topic Filter invalid) in a v5 UNSUBACK, the same answer as in a
SUBACK, instead of 0x11 (no subscription existed); the good filters beside them are
unsubscribed, and the connection stays open."""

import unittest

from akasa_harness import AkasaServer
from hook_test_support import RawClient

MALFORMED = ["#/a", "a/#/b", "a+/b"]


class UnsubscribeFilters(unittest.TestCase):
    def test_malformed_filters_get_0x8f_like_in_subscribe(self):
        with AkasaServer() as server:
            c = RawClient(server.port, "unsub5", 5)
            self.assertEqual(c.connect(), 0)
            self.assertEqual(c.subscribe(["ok/+"] + MALFORMED), [1, 0x8F, 0x8F, 0x8F])
            self.assertEqual(c.unsubscribe(MALFORMED + ["ok/+", "never"]),
                             [0x8F, 0x8F, 0x8F, 0x00, 0x11])
            c.ping()  # still connected
            c.close()

    def test_v311_unsubscribe_with_malformed_filters_is_answered(self):
        with AkasaServer() as server:
            c = RawClient(server.port, "unsub3", 4)
            self.assertEqual(c.connect(), 0)
            self.assertEqual(c.unsubscribe(MALFORMED), [])
            c.ping()
            c.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
