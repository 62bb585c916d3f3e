"""Logins under attack (issue 15 item 9), against the real binary.

- Failed logins are limited per client address: a storm of bad passwords from one address
  gets that address blocked (CONNACK 0x9F / 3.1.1 0x03, no hashing), while clients from other
  addresses still log in; behind a PROXY-protocol listener the address is the proxied client's.
- PBKDF2 checks run on the hashing threads: a client already connected to the same (only)
  worker is served while expensive CONNECTs are being checked, a full queue refuses with
  Server busy, and unknown users are hashed like the file's typical user.

Loopback carries all of 127.0.0.0/8 on Linux, so clients bind 127.0.0.2, 127.0.0.3 ... as
their source address to stand for different hosts. Entries of the password file are written
with hashlib, independently of the C++ code. Assertions are on the order of events, never on
durations: the "slow" entries cost about two seconds of PBKDF2, the interleaved round trips a
millisecond.
"""

import base64
import hashlib
import os
import select
import socket
import struct
import sys
import tempfile
import time
import unittest

from akasa_harness import AkasaServer, wait_for_log
from mqtt_wire import PacketReader, mqtt_string, packet

TIMEOUT = 60
FAST = ("fast", "fast-pw")  # sha256: checked inline, about a microsecond
SLOW = ("slow", "slow-pw")  # sha512-pkbdf2 with SLOW_ITERATIONS: about two seconds
SLOW_ITERATIONS = 2_000_000  # the margin a refusal must win by, also on a loaded machine


def b64(data):
    return base64.b64encode(data).decode().rstrip("=")


def sha256_line(user, password):
    salt = os.urandom(16)
    return f"{user}:sha256,{b64(salt)},{b64(hashlib.sha256(password.encode() + salt).digest())}\n"


def pbkdf2_line(user, password, iterations):
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return f"{user}:sha512-pkbdf2,{iterations},{b64(salt)},{b64(digest)}\n"


_SLOW_LINE = []


def slow_line():
    """The slow user's line, computed once (it costs what a check costs)."""
    if not _SLOW_LINE:
        _SLOW_LINE.append(pbkdf2_line(*SLOW, SLOW_ITERATIONS))
    return _SLOW_LINE[0]


def hashing_cpu_ticks(pid):
    """CPU ticks the server's password-hashing threads ("akasa-hash") have used so far."""
    ticks = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # the thread ended
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:]
        if name == "akasa-hash":
            fields = rest.split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def wait_until_hashing(pid, since, timeout=30.0):
    """Waits until the hashing threads use CPU beyond `since`: one has taken a slow check."""
    deadline = time.monotonic() + timeout
    while hashing_cpu_ticks(pid) <= since:
        if time.monotonic() > deadline:
            raise AssertionError("no hashing thread started the slow check")
        time.sleep(0.005)


def connect_packet(client_id, username=None, password=None, version=4):
    flags = 0x02
    if username is not None:
        flags |= 0x80
    if password is not None:
        flags |= 0x40
    body = mqtt_string("MQTT") + bytes([version, flags]) + struct.pack("!H", 60)
    if version == 5:
        body += b"\x00"  # no properties
    body += mqtt_string(client_id)
    if username is not None:
        body += mqtt_string(username)
    if password is not None:
        body += mqtt_string(password)
    return packet(0x10, body)


class Client:
    """A raw MQTT client from a chosen source address (`source` in 127.0.0.0/8)."""

    def __init__(self, port, source="127.0.0.1", first=b""):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT,
                                             source_address=(source, 0))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = PacketReader(self.sock)
        if first:
            self.sock.sendall(first)

    def send_connect(self, client_id, credentials=(None, None), version=4):
        self.sock.sendall(connect_packet(client_id, *credentials, version=version))

    def connack(self):
        """The CONNACK's reason code (v5) or return code (3.1.1)."""
        first, body = self.reader.packet()
        assert first == 0x20, hex(first)
        return body[1]

    def login(self, client_id, credentials, version=4):
        self.send_connect(client_id, credentials, version)
        return self.connack()

    def has_data(self):
        """True when the server sent something (or closed) that was not read yet."""
        if self.reader.buffer:
            return True
        return bool(select.select([self.sock], [], [], 0)[0])

    def closed(self):
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()


class Workdir:
    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="akasa-login-")

    def password_file(self, lines):
        path = os.path.join(self.dir.name, "passwords")
        with open(path, "w") as f:
            f.write("".join(lines))
        return path

    def cleanup(self):
        self.dir.cleanup()


class FailedLoginLimitTest(unittest.TestCase):
    def setUp(self):
        self.work = Workdir()
        self.addCleanup(self.work.cleanup)

    def server(self, lines, auth_keys, **kwargs):
        return AkasaServer(allow_anonymous=False, password_file=self.work.password_file(lines),
                           auth_keys=auth_keys, **kwargs)

    def test_a_storm_of_bad_logins_blocks_its_address_only(self):
        keys = "max_failed_logins: 3\nfailed_login_window: 600\nfailed_login_block: 600"
        with self.server([sha256_line(*FAST)], keys) as server:
            for i in range(3):
                attacker = Client(server.port, "127.0.0.2")
                self.assertEqual(attacker.login(f"guess-{i}", ("fast", f"wrong-{i}"), 5), 0x86)
                attacker.close()
            # Blocked now: even the right password is refused, before it is checked, with
            # 0x9F Connection rate exceeded (v5) / 0x03 Server unavailable (3.1.1).
            for version, code in ((5, 0x9F), (4, 0x03), (5, 0x9F)):
                attacker = Client(server.port, "127.0.0.2")
                self.assertEqual(attacker.login("guess-right", FAST, version), code)
                self.assertTrue(attacker.closed())
                attacker.close()
            # Another address logs in.
            other = Client(server.port, "127.0.0.3")
            self.assertEqual(other.login("other-host", FAST, 5), 0x00)
            other.close()
            log = wait_for_log(server, "blocking logins from 127.0.0.2")
            # Logged once per block, not per refused attempt.
            self.assertEqual(log.count("blocking logins from"), 1, log)
            self.assertIn("auth.max_failed_logins", log)
            after_block = log.split("blocking logins from 127.0.0.2", 1)[1].split("\n", 1)[1]
            self.assertNotIn("refused connection from 127.0.0.2:", after_block)

    def test_a_blocked_address_is_refused_without_hashing(self):
        # The one hashing thread is busy with the slow user's check from 127.0.0.4 (about two
        # seconds). The blocked address's CONNECT, with the slow user's right password, is
        # answered first: it was not queued behind that check.
        keys = ("max_failed_logins: 2\nfailed_login_window: 600\nfailed_login_block: 600\n"
                "hash_threads: 1")
        with self.server([sha256_line(*FAST), slow_line()], keys,
                         extra_yaml="worker_threads: 1\n") as server:
            for i in range(2):
                attacker = Client(server.port, "127.0.0.2")
                self.assertEqual(attacker.login(f"guess-{i}", ("fast", "wrong"), 5), 0x86)
                attacker.close()
            honest = Client(server.port, "127.0.0.4")
            honest.send_connect("honest", SLOW, 5)
            attacker = Client(server.port, "127.0.0.2")
            self.assertEqual(attacker.login("guess-slow", SLOW, 5), 0x9F)
            self.assertFalse(honest.has_data(), "the blocked CONNECT waited for a hash")
            self.assertEqual(honest.connack(), 0x00)
            honest.close()
            attacker.close()

    def test_behind_a_proxy_the_proxied_client_address_counts(self):
        keys = "max_failed_logins: 2\nfailed_login_window: 600\nfailed_login_block: 600"
        header = "PROXY TCP4 {} 127.0.0.1 40000 1883\r\n"
        with self.server([sha256_line(*FAST)], keys, mqtt_keys="proxy_mode: Normal") as server:
            for i in range(2):
                attacker = Client(server.port, first=header.format("203.0.113.7").encode())
                self.assertEqual(attacker.login(f"p-guess-{i}", ("fast", "wrong"), 5), 0x86)
                attacker.close()
            attacker = Client(server.port, first=header.format("203.0.113.7").encode())
            self.assertEqual(attacker.login("p-right", FAST, 5), 0x9F)
            attacker.close()
            # Same proxy (same TCP peer), another client behind it: not blocked.
            other = Client(server.port, first=header.format("203.0.113.8").encode())
            self.assertEqual(other.login("p-other", FAST, 5), 0x00)
            other.close()
            wait_for_log(server, "blocking logins from 203.0.113.7 ")


class HashingOffTheEventLoopTest(unittest.TestCase):
    def setUp(self):
        self.work = Workdir()
        self.addCleanup(self.work.cleanup)

    def test_a_connected_client_is_served_while_expensive_logins_are_checked(self):
        lines = [sha256_line(*FAST), slow_line()]
        with AkasaServer(allow_anonymous=False, password_file=self.work.password_file(lines),
                         auth_keys="hash_threads: 1", extra_yaml="worker_threads: 1\n") as server:
            watcher = Client(server.port)
            self.assertEqual(watcher.login("watcher", FAST), 0x00)
            watcher.sock.sendall(packet(0x82, struct.pack("!H", 1) + mqtt_string("t/echo") + b"\x00"))
            first, _ = watcher.reader.packet()
            self.assertEqual(first, 0x90)  # SUBACK
            slow = [Client(server.port) for _ in range(3)]
            gone = Client(server.port)
            # One round trip: the worker (the only one) has accepted the sockets above.
            watcher.sock.sendall(b"\xc0\x00")
            self.assertEqual(watcher.reader.packet(), (0xD0, b""))
            for i, client in enumerate(slow):
                client.send_connect(f"slow-{i}", SLOW)
            gone.send_connect("gone", SLOW)
            gone.close()  # its answer must find nothing and be dropped
            # The worker read those CONNECTs before the PINGREQ below (they were ready
            # first): checked inline, they would hold the PINGRESP and the delivery back.
            watcher.sock.sendall(b"\xc0\x00")
            self.assertEqual(watcher.reader.packet(), (0xD0, b""))
            watcher.sock.sendall(packet(0x30, mqtt_string("t/echo") + b"hello"))
            first, body = watcher.reader.packet()
            self.assertEqual((first, body), (0x30, mqtt_string("t/echo") + b"hello"))
            self.assertFalse(any(client.has_data() for client in slow),
                             "a slow CONNECT was answered before the connected client was served")
            # Then the slow logins succeed, one after the other on the one hashing thread.
            for client in slow:
                self.assertEqual(client.connack(), 0x00)
                client.close()
            wait_for_log(server, "client slow-2 connected")
            watcher.close()

    def test_unknown_users_are_hashed_like_the_typical_user(self):
        # Most entries are slow: an unknown name costs a slow check too (on the hashing
        # thread, like a known user), not a quick one that would answer it at once.
        lines = [sha256_line(*FAST), slow_line(), pbkdf2_line("other", "x", SLOW_ITERATIONS)]
        with AkasaServer(allow_anonymous=False, password_file=self.work.password_file(lines),
                         auth_keys="hash_threads: 1", extra_yaml="worker_threads: 1\n") as server:
            watcher = Client(server.port)
            self.assertEqual(watcher.login("watcher", FAST), 0x00)
            unknown = Client(server.port)
            watcher.sock.sendall(b"\xc0\x00")  # the worker has accepted `unknown`
            self.assertEqual(watcher.reader.packet(), (0xD0, b""))
            unknown.send_connect("unknown", ("nobody", "slow-pw"))
            watcher.sock.sendall(b"\xc0\x00")
            self.assertEqual(watcher.reader.packet(), (0xD0, b""))
            self.assertFalse(unknown.has_data(), "the unknown user was answered without a slow hash")
            self.assertEqual(unknown.connack(), 0x04)  # 3.1.1: bad user name or password
            unknown.close()
            watcher.close()

    def test_a_full_queue_refuses_with_server_busy(self):
        # One thread and one queue slot: of four slow CONNECTs, the third and fourth find
        # both taken (the first check lasts about two seconds). A watcher's PINGREQ after
        # each CONNECT makes the worker take them in this order (sent at once, they are
        # read in whatever order the sockets come ready). A job counts as waiting until the
        # thread has taken it, so the second is sent only once the thread works on the
        # first (on a busy machine the thread can take a while to start).
        lines = [sha256_line(*FAST), slow_line()]
        with AkasaServer(allow_anonymous=False, password_file=self.work.password_file(lines),
                         auth_keys="hash_threads: 1\nmax_pending_logins: 1",
                         extra_yaml="worker_threads: 1\n") as server:
            watcher = Client(server.port)
            self.assertEqual(watcher.login("watcher", FAST), 0x00)
            idle_ticks = hashing_cpu_ticks(server.proc.pid)
            clients = [Client(server.port) for _ in range(4)]
            for i, (client, version) in enumerate(zip(clients, (5, 5, 5, 4))):
                client.send_connect(f"slow-{i}", SLOW, version)
                watcher.sock.sendall(b"\xc0\x00")
                self.assertEqual(watcher.reader.packet(), (0xD0, b""))
                if i == 0:
                    wait_until_hashing(server.proc.pid, idle_ticks)
            codes = [client.connack() for client in clients]
            self.assertEqual(codes[0], 0x00)
            self.assertIn(codes[1], (0x00, 0x89))
            self.assertEqual(codes[2], 0x89, codes)  # v5 Server busy
            self.assertEqual(codes[3], 0x03)  # 3.1.1 Server unavailable
            for client in clients:
                client.close()
            watcher.close()
            wait_for_log(server, "Server busy (too many password checks waiting "
                                 "(auth.max_pending_logins))")

if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
