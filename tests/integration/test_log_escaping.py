"""Client-supplied names in the log (issue 15 item 10), against the real binary: a client id
and a user name with a newline and a terminal escape sequence are written escaped, so they
cannot forge a log line or drive the operator's terminal."""

import unittest

from akasa_harness import AkasaServer, wait_for_log
from hook_test_support import RawClient


class LogEscapingTest(unittest.TestCase):
    def test_a_client_id_cannot_forge_a_log_line(self):
        with AkasaServer() as server:
            forged = "2026-01-01T00:00:00.000 info  [1] client admin connected"
            client = RawClient(server.port, "evil\n" + forged + "\x1b[2J", 4, "name\r\nx")
            self.assertEqual(client.connect(), 0)
            log = wait_for_log(server, "evil\\x0a2026-01-01T00:00:00.000")
            self.assertIn("\\x1b[2J", log)
            self.assertNotIn("\n" + forged, log)
            self.assertNotIn("\x1b", log)
            client.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
