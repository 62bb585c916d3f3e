"""The password file as the server reads it (issue 16 items 8 and 9), against the real binary
with paho-mqtt (Debian's python3-paho-mqtt) as the client:

- comments, blank lines and whitespace around lines are skipped; a user listed twice logs a
  warning naming both lines, and the last line is the one that logs in;
- mosquitto 2.1's `$argon2id$` lines log in (tests/fixtures/passwords/argon2id.txt, made by
  the `argon2` command);
- SIGHUP reloads the file: a user added with `akasa insert-password` logs in after it; a file
  that fails to load (a malformed line, a missing file) keeps the previous users and logs why;
  connected clients stay connected through every reload, also when their user is removed.

Entries are written with hashlib, independently of the C++ code.
"""

import base64
import hashlib
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import unittest

import paho.mqtt.client as mqtt

from akasa_harness import BINARY, REPO, AkasaServer, wait_for_log

TIMEOUT = 30
FIXTURES = os.path.join(REPO, "tests", "fixtures", "passwords")


def b64(data):
    return base64.b64encode(data).decode().rstrip("=")


def sha256_line(user, password):
    salt = os.urandom(16)
    return f"{user}:sha256,{b64(salt)},{b64(hashlib.sha256(password.encode() + salt).digest())}"


def reason_value(rc):
    """paho gives an int for 3.1.1 and a ReasonCodes object for v5."""
    return rc.value if hasattr(rc, "value") else rc


class Paho:
    """A paho client logging in with a user name and password."""

    def __init__(self, port, client_id, username, password, version=mqtt.MQTTv311):
        self.port = port
        self.version = version
        self.connack = queue.Queue()
        self.messages = queue.Queue()
        self.disconnected = threading.Event()
        self.client = mqtt.Client(client_id=client_id, protocol=version)
        self.client.username_pw_set(username, password)
        self.client.on_connect = lambda c, u, flags, rc, props=None: self.connack.put(rc)
        self.client.on_message = lambda c, u, msg: self.messages.put(msg)
        self.client.on_disconnect = lambda c, u, rc, props=None: self.disconnected.set()

    def connect(self):
        """The CONNACK's return / reason code (0: logged in)."""
        self.client.connect("127.0.0.1", self.port, keepalive=60)
        self.client.loop_start()
        rc = reason_value(self.connack.get(timeout=TIMEOUT))
        if rc != 0:
            self.client.loop_stop()
        return rc

    def round_trip(self, topic):
        """Subscribes to `topic`, publishes to it at QoS 1 and gets the message back: the
        connection is alive and served."""
        result, _ = self.client.subscribe(topic, 1)
        assert result == mqtt.MQTT_ERR_SUCCESS, result
        info = self.client.publish(topic, b"still here", 1)
        info.wait_for_publish(TIMEOUT)
        assert info.is_published(), f"publish to {topic} was not acknowledged"
        message = self.messages.get(timeout=TIMEOUT)
        assert message.payload == b"still here", message.payload

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def login(server, username, password, version=mqtt.MQTTv311):
    """Connects, disconnects, and returns the CONNACK code."""
    client = Paho(server.port, f"probe-{username}-{os.urandom(3).hex()}", username, password,
                  version)
    rc = client.connect()
    if rc == 0:
        client.close()
    return rc


class PasswordFileServerTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="akasa-pwfile-")
        self.addCleanup(self.dir.cleanup)
        self.path = os.path.join(self.dir.name, "passwords")

    def write(self, text):
        with open(self.path, "w") as f:
            f.write(text)

    def server(self):
        return AkasaServer(allow_anonymous=False, password_file=self.path)

    def sighup(self, server):
        server.proc.send_signal(signal.SIGHUP)

    def test_comments_blanks_whitespace_and_a_user_listed_twice(self):
        self.write("\n".join([
            "# written by hand",                          # 1
            "  \t# indented comment",                     # 2
            sha256_line("dup", "first"),                  # 3
            "",                                           # 4
            "   " + sha256_line("spaced", "s-pass") + " \t",  # 5
            sha256_line("dup", "second") + "\r",          # 6
        ]) + "\n")
        with self.server() as server:
            log = wait_for_log(server, f"password_file: {self.path}: 2 users")
            self.assertIn(f'{self.path}:6: user "dup" is also on line 3; the last line (6) is used',
                          log)
            self.assertEqual(login(server, "dup", "second"), 0)
            self.assertEqual(login(server, "dup", "first"), 4)
            self.assertEqual(login(server, "spaced", "s-pass", mqtt.MQTTv5), 0)
            self.assertEqual(login(server, "# written by hand", ""), 4)

    def test_mosquitto_argon2id_lines_log_in(self):
        shutil.copy(os.path.join(FIXTURES, "argon2id.txt"), self.path)
        with open(os.path.join(FIXTURES, "argon2id.plain"), encoding="utf-8") as f:
            users = [line.split("\t", 1) for line in f.read().splitlines()]
        self.assertEqual(len(users), 3)
        with self.server() as server:
            for user, password in users:
                for version in (mqtt.MQTTv311, mqtt.MQTTv5):
                    with self.subTest(user=user, version=version):
                        self.assertEqual(login(server, user, password, version), 0)
            self.assertEqual(login(server, "argon", "wrong"), 4)
            self.assertEqual(login(server, "argon", "wrong", mqtt.MQTTv5), 0x86)

    def test_sighup_reloads_a_user_added_with_insert_password(self):
        self.write(sha256_line("alice", "a-pass") + "\n")
        with self.server() as server:
            alice = Paho(server.port, "alice-1", "alice", "a-pass")
            self.assertEqual(alice.connect(), 0)
            result = subprocess.run(
                [BINARY, "insert-password", "--path", self.path, "--username", "bob"],
                input="b-pass\nb-pass\n", capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(login(server, "bob", "b-pass"), 4)  # not before the reload

            self.sighup(server)
            wait_for_log(server, f"password_file: {self.path}: reloaded, 2 users")
            self.assertEqual(login(server, "bob", "b-pass"), 0)
            self.assertEqual(login(server, "alice", "a-pass"), 0)
            alice.round_trip("reload/alice")
            self.assertFalse(alice.disconnected.is_set())
            alice.close()

    def test_a_failed_reload_keeps_the_previous_users_and_says_why(self):
        self.write(sha256_line("alice", "a-pass") + "\n")
        with self.server() as server:
            alice = Paho(server.port, "alice-1", "alice", "a-pass")
            self.assertEqual(alice.connect(), 0)

            # A malformed line: the whole file is refused, its good lines too.
            self.write(sha256_line("carol", "c-pass") + "\nbroken line without colon\n")
            self.sighup(server)
            log = wait_for_log(server, "keeping the previous file (1 user)")
            self.assertIn(f"password_file: {self.path}:2: expected username:FIELDS but the line "
                          "has no ':'; keeping the previous file (1 user)", log)
            self.assertEqual(login(server, "alice", "a-pass"), 0)
            self.assertEqual(login(server, "carol", "c-pass"), 4)

            # A missing file: likewise.
            os.remove(self.path)
            self.sighup(server)
            wait_for_log(server, f"the password file {self.path} does not exist; keeping")
            self.assertEqual(login(server, "alice", "a-pass", mqtt.MQTTv5), 0)

            alice.round_trip("reload/failed")
            self.assertFalse(alice.disconnected.is_set())
            alice.close()

    def test_a_reload_that_removes_a_user_does_not_drop_its_connection(self):
        self.write(sha256_line("alice", "a-pass") + "\n" + sha256_line("bob", "b-pass") + "\n")
        with self.server() as server:
            bob = Paho(server.port, "bob-1", "bob", "b-pass", mqtt.MQTTv5)
            self.assertEqual(bob.connect(), 0)
            result = subprocess.run(
                [BINARY, "remove-password", "--path", self.path, "--username", "bob"],
                capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.sighup(server)
            wait_for_log(server, f"password_file: {self.path}: reloaded, 1 user")
            self.assertEqual(login(server, "bob", "b-pass", mqtt.MQTTv5), 0x86)
            bob.round_trip("reload/bob")  # logged in before: stays, and is served
            self.assertFalse(bob.disconnected.is_set())
            bob.close()


if __name__ == "__main__":
    unittest.main()
