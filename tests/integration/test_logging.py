"""Where and how the server logs (issue 19 item 6): log_file instead of stderr, log_format
json (one object per line that parses, with UTC time, level, thread, message, and a client's
id and address on that client's lines), the file reopened on SIGHUP after a rename (what
logrotate does), log_syslog (a datagram socket the test listens on stands in for /dev/log),
and a log file that cannot be opened stopping the start."""

import datetime
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from akasa_harness import AkasaServer, BINARY, free_port
from hook_test_support import RawClient


def read_text(path):
    with open(path) as f:
        return f.read()


def wait_for_file_text(path, fragment, timeout=15.0):
    """The file's text once it contains `fragment` (polled: a file has no change event)."""
    deadline = time.monotonic() + timeout
    while True:
        text = read_text(path) if os.path.exists(path) else ""
        if fragment in text:
            return text
        if time.monotonic() >= deadline:
            raise AssertionError(f"{fragment!r} not in {path} within {timeout} s:\n{text}")
        time.sleep(0.05)


class LogFileServer(AkasaServer):
    """A server logging to a file in its temp dir (self.file_log)."""

    def __init__(self, extra_yaml=""):
        super().__init__()
        self.file_log = os.path.join(self.workdir.name, "server.log")
        with open(self.config_path, "a") as f:
            f.write(f"log_file: {self.file_log}\n{extra_yaml}")


class LogFileTest(unittest.TestCase):
    def test_lines_go_to_the_file_not_stderr(self):
        with LogFileServer() as server:
            text = wait_for_file_text(server.file_log, "started")
            self.assertIn(" info  [", text)
            self.assertNotIn("started", server.log_text())  # stderr stays empty of it
            self.assertEqual(os.stat(server.file_log).st_mode & 0o777, 0o600,
                             "the log is for the server's user only")

    def test_rename_then_sighup_writes_the_next_line_to_a_new_file(self):
        with LogFileServer() as server:
            wait_for_file_text(server.file_log, "started")
            rotated = server.file_log + ".1"
            os.rename(server.file_log, rotated)
            server.proc.send_signal(signal.SIGHUP)
            fresh = wait_for_file_text(server.file_log, "received SIGHUP")
            self.assertNotIn("started", fresh)
            self.assertNotIn("received SIGHUP", read_text(rotated))
            self.assertEqual(os.stat(server.file_log).st_mode & 0o777, 0o600)

    def test_unopenable_file_stops_the_start(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = os.path.join(tmp, "akasa.yaml")
            with open(config, "w") as f:
                f.write(f"listeners:\n  mqtt:\n    addr: 127.0.0.1:{free_port()}\n"
                        f"auth:\n  enable: false\nlog_file: {tmp}/missing/dir/akasa.log\n")
            result = subprocess.run([BINARY, "start", "--config", config], capture_output=True,
                                    text=True, timeout=30)
            self.assertEqual(result.returncode, 1)
            self.assertIn("log_file", result.stderr)
            self.assertIn(f"{tmp}/missing/dir/akasa.log", result.stderr)

    def test_syslog_path_that_is_no_socket_stops_the_start(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = os.path.join(tmp, "akasa.yaml")
            with open(config, "w") as f:
                f.write(f"listeners:\n  mqtt:\n    addr: 127.0.0.1:{free_port()}\n"
                        f"auth:\n  enable: false\nlog_syslog: {config}\n")
            result = subprocess.run([BINARY, "start", "--config", config], capture_output=True,
                                    text=True, timeout=30)
            self.assertEqual(result.returncode, 1)
            self.assertIn(f"log_syslog: {config}", result.stderr)


class JsonLogTest(unittest.TestCase):
    def test_every_line_is_a_json_object_with_the_fields(self):
        client_id = 'json"id\\x'
        with LogFileServer("log_format: json\n") as server:
            wait_for_file_text(server.file_log, "started")
            client = RawClient(server.port, client_id)
            self.assertEqual(client.connect(), 0)
            local = "127.0.0.1:%d" % client.sock.getsockname()[1]
            client.send(0xE0, b"")  # DISCONNECT
            wait_for_file_text(server.file_log, "disconnected")
            client.close()
            lines = read_text(server.file_log).splitlines()
        records = [json.loads(line) for line in lines]  # raises on any line that is not JSON
        for record in records:
            self.assertEqual(set(record) - {"client_id", "address"},
                             {"time", "level", "thread", "message"})
            self.assertTrue(record["time"].endswith("Z"), record)
            parsed = datetime.datetime.strptime(record["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
            now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
            self.assertLess(abs((now - parsed).total_seconds()), 3600, "time is UTC")
            self.assertIn(record["level"], {"trace", "debug", "info", "warn", "error"})
            self.assertIsInstance(record["thread"], int)
        disconnected = [r for r in records if "disconnected" in r["message"]]
        self.assertEqual(len(disconnected), 1, records)
        self.assertIn(client_id, disconnected[0]["message"])  # escaped in JSON, intact parsed
        self.assertEqual(disconnected[0].get("client_id"), client_id)
        self.assertEqual(disconnected[0].get("address"), local)


class SyslogTest(unittest.TestCase):
    def test_lines_reach_the_syslog_socket(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "log.sock")
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.bind(path)
            sock.settimeout(15)
            try:
                with AkasaServer(f"log_syslog: {path}\n") as server:
                    datagrams = []
                    while not any(b"started" in d for d in datagrams):
                        datagrams.append(sock.recv(65536))
                    pid = server.proc.pid
                    self.assertNotIn("started", server.log_text())  # not on stderr
            finally:
                sock.close()
        started = next(d.decode() for d in datagrams if b"started" in d)
        # <daemon * 8 + info>, glibc syslog(3)'s time stamp, tag with the PID, one line.
        self.assertTrue(started.startswith("<30>"), started)
        self.assertIn(f" akasa[{pid}]: info [", started)
        self.assertNotIn("\n", started)
        for datagram in datagrams:
            self.assertRegex(datagram.decode(), r"^<\d+>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ")


if __name__ == "__main__":
    unittest.main()
