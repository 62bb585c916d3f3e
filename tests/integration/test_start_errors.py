"""`akasa start` with configs it must refuse: one clear sentence on stderr that names the key,
and a non-zero exit status, before anything listens."""

import os
import subprocess
import tempfile
import unittest

from akasa_harness import BINARY, free_port


def start_with(config_text):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "akasa.yaml")
        with open(path, "w") as f:
            f.write(config_text)
        return subprocess.run([BINARY, "start", "--config", path], capture_output=True,
                              text=True, timeout=20)


class StartErrorTests(unittest.TestCase):
    def assert_refused(self, config_text, *fragments):
        result = start_with(config_text)
        self.assertNotEqual(result.returncode, 0)
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)

    def test_unknown_key_is_named(self):
        self.assert_refused(f"listeners:\n  mqtt:\n    addr: 127.0.0.1:{free_port()}\n"
                            "auth:\n  enable: false\nmax_allowed_qoss: 1\n", "max_allowed_qoss")

    def test_max_allowed_qos_3_is_refused(self):
        self.assert_refused(f"listeners:\n  mqtt:\n    addr: 127.0.0.1:{free_port()}\n"
                            "auth:\n  enable: false\nmax_allowed_qos: 3\n", "max_allowed_qos", "3")

    def test_missing_config_file_names_the_path(self):
        result = subprocess.run([BINARY, "start", "--config", "/nonexistent/akasa.yaml"],
                                capture_output=True, text=True, timeout=20)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("/nonexistent/akasa.yaml", result.stderr)

    def test_missing_password_file_is_refused(self):
        self.assert_refused(f"listeners:\n  mqtt:\n    addr: 127.0.0.1:{free_port()}\n"
                            "auth:\n  enable: true\n  password_file: /nonexistent/pw\n",
                            "/nonexistent/pw")

    def test_listener_kinds_not_available_yet_are_refused(self):
        # Built as components (docs/status.md) but not served yet: refuse rather than start
        # a server that silently does not listen where the config says.
        port = free_port()
        self.assert_refused(f"listeners:\n  mqtt:\n    addr: 127.0.0.1:{port}\n"
                            f"  ws:\n    addr: 127.0.0.1:{free_port()}\n"
                            "auth:\n  enable: false\n", "listeners.ws")
        self.assert_refused(f"listeners:\n  mqtt:\n    addr: 127.0.0.1:{port}\n"
                            "    proxy_mode: Normal\nauth:\n  enable: false\n",
                            "listeners.mqtt.proxy_mode")


if __name__ == "__main__":
    unittest.main(verbosity=2)
