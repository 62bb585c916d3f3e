"""RUST_LOG (issue 16 item 4), against the real binary: the Rust Akasa's way to set the log
level overrides `log_level`, with env_logger's directive syntax; one naming no level is a
warning and `log_level` applies."""

import os
import socket
import unittest

from akasa_harness import AkasaServer, wait_for_log


class RustLogServer(AkasaServer):
    def __init__(self, rust_log, extra_yaml):
        super().__init__(extra_yaml)
        self.rust_log = rust_log

    def _launch(self):
        previous = os.environ.get("RUST_LOG")
        os.environ["RUST_LOG"] = self.rust_log
        try:
            super()._launch()
        finally:
            if previous is None:
                del os.environ["RUST_LOG"]
            else:
                os.environ["RUST_LOG"] = previous


class RustLogTest(unittest.TestCase):
    def test_rust_log_overrides_log_level(self):
        with RustLogServer("warn,akasa=debug", "log_level: error\n") as server:
            socket.create_connection(("127.0.0.1", server.port)).close()
            log = wait_for_log(server, "log level debug from RUST_LOG")
            self.assertIn("akasa 0.", log)  # an info line, below log_level: error

    def test_rust_log_without_a_level_warns_and_log_level_applies(self):
        with RustLogServer("tokio=trace", "log_level: warn\n") as server:
            log = wait_for_log(server, "RUST_LOG=\"tokio=trace\" names no level")
            self.assertNotIn(" info ", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
