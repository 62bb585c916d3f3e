"""systemd's notify protocol (issue 19 item 3), as Type=notify and WatchdogSec= use it: the
test listens on a unix datagram socket, starts the server with NOTIFY_SOCKET naming it, and
reads READY=1 once the listener accepts, RELOADING=1 then READY=1 around a SIGHUP reload,
STOPPING=1 at SIGTERM, WATCHDOG=1 pings when WATCHDOG_USEC is set (none without, or when
WATCHDOG_PID names another process), and no ping while a worker is stuck."""

import os
import signal
import socket
import tempfile
import time
import unittest
from unittest import mock

from akasa_harness import AkasaServer
from hook_test_support import RawClient, plugin_path, wait_for_log


class NotifySocket:
    """A datagram socket standing in for systemd's; `name` for NOTIFY_SOCKET."""

    def __init__(self, abstract=False):
        self.tmp = tempfile.TemporaryDirectory()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            token = "akasa-test-%d-%d" % (os.getpid(), time.monotonic_ns())
            self.sock.bind("\0" + token)
            self.name = "@" + token
        else:
            self.name = os.path.join(self.tmp.name, "notify.sock")
            self.sock.bind(self.name)
        self.sock.settimeout(15)

    def next(self):
        return self.sock.recv(4096).decode()

    def close(self):
        self.sock.close()
        self.tmp.cleanup()


class NotifiedServer(AkasaServer):
    """A server started with NOTIFY_SOCKET (and `env`) in its environment."""

    def __init__(self, notify, env=None, extra_yaml=""):
        super().__init__(extra_yaml)
        self.env = {"NOTIFY_SOCKET": notify.name, **(env or {})}

    def _launch(self):
        with mock.patch.dict(os.environ, self.env):
            super()._launch()


class NotifyTest(unittest.TestCase):
    def setUp(self):
        self.notify = None

    def tearDown(self):
        if self.notify:
            self.notify.close()

    def lifecycle(self, abstract):
        self.notify = notify = NotifySocket(abstract)
        with NotifiedServer(notify) as server:
            # The harness returned once the port accepts; READY=1 was sent before that.
            self.assertEqual(notify.next(), "READY=1")
            server.proc.send_signal(signal.SIGHUP)
            reloading = notify.next().split("\n")
            self.assertEqual(reloading[0], "RELOADING=1")
            self.assertRegex(reloading[1], r"^MONOTONIC_USEC=\d+$")
            self.assertEqual(notify.next(), "READY=1")
        self.assertEqual(notify.next(), "STOPPING=1")

    def test_ready_reloading_stopping(self):
        self.lifecycle(abstract=False)

    def test_abstract_socket_name(self):
        self.lifecycle(abstract=True)

    def test_watchdog_pings_when_asked(self):
        self.notify = notify = NotifySocket()
        with NotifiedServer(notify, {"WATCHDOG_USEC": "200000"}):
            self.assertEqual(notify.next(), "READY=1")
            for _ in range(3):
                self.assertEqual(notify.next(), "WATCHDOG=1")

    def test_no_watchdog_for_another_pid(self):
        self.notify = notify = NotifySocket()
        with NotifiedServer(notify, {"WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"}):
            self.assertEqual(notify.next(), "READY=1")
            notify.sock.settimeout(1.0)  # pings would come every 0.1 s
            with self.assertRaises(socket.timeout):
                notify.next()

    def test_a_stuck_worker_stops_the_pings(self):
        self.notify = notify = NotifySocket()
        plugin = f"worker_threads: 1\nplugins:\n  - path: {plugin_path('test_plugin.so')}\n"
        with NotifiedServer(notify, {"WATCHDOG_USEC": "200000"}, plugin) as server:
            self.assertEqual(notify.next(), "READY=1")
            self.assertEqual(notify.next(), "WATCHDOG=1")
            client = RawClient(server.port, "staller")
            self.assertEqual(client.connect(), 0)
            client.publish("stall/now")  # the test plugin blocks the only worker for 3 s
            # The watchdog saw the worker miss its task and sent no ping for that round.
            wait_for_log(server, "WATCHDOG=1 withheld")
            # The worker is back: pings resume (past those queued before the stall).
            wait_for_log(server, "every worker answers again")
            notify.sock.setblocking(False)
            try:
                while notify.sock.recv(4096):
                    pass
            except BlockingIOError:
                pass
            notify.sock.settimeout(15)
            self.assertEqual(notify.next(), "WATCHDOG=1")
            client.close()


if __name__ == "__main__":
    unittest.main()
