"""Starts the real `akasa` binary for Python integration tests.

Tests get a server on a free port with a config they can extend, and the server is stopped
with SIGTERM at the end (its exit status is checked: a clean shutdown is part of the test).
The binary comes from $AKASA_BINARY (set by ctest), else build/akasa.
"""

import os
import random
import signal
import socket
import subprocess
import tempfile
import textwrap
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("AKASA_BINARY", os.path.join(REPO, "build", "akasa"))


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999


def free_port():
    """A TCP port nothing listens on right now, chosen below the kernel's ephemeral range.

    A port from bind(0) lies in that range, which the kernel also hands to outgoing
    connections: with tests running in parallel, some client could take it between this
    check and the server's bind, and the server would exit with "address in use". Ports
    below the range are only ever taken on purpose; a random pick and a bind check make a
    clash between two tests unlikely."""
    low, _ = _ephemeral_range()
    for _ in range(100):
        port = random.randrange(20000, low if low > 21000 else 30000)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc, timeout=20):
    """SIGTERM to a process this test started, then SIGKILL if it has not ended in `timeout`
    seconds."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_port(port, proc, timeout=20.0):
    """Waits until the server accepts TCP connections; fails early if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"akasa exited with status {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)  # polling a port that is not open yet: no event to wait on
    raise RuntimeError(f"akasa did not listen on port {port} within {timeout} s")


class AkasaServer:
    """Context manager: `with AkasaServer(extra_yaml) as server: server.port ...`.

    `http`: None for no http listener, else extra keys for it (e.g. "prometheus: false",
    or "" for the defaults); it listens on server.http_port.
    `mqtt_keys`: extra keys of the mqtt listener (e.g. "proxy_mode: Normal"); `listeners`:
    more listeners (YAML at the level of `mqtt:`); `wait_ports`: their ports, awaited too.
    `persistence_dir`: turns the persistent store on in that directory (it outlives the
    server, so kill9() and restart() can test recovery); `cwd`: the server's working
    directory (default: the test's). `auth_keys`: extra keys of the auth section (e.g.
    "max_failed_logins: 3")."""

    def __init__(self, extra_yaml="", allow_anonymous=True, password_file=None, http=None,
                 mqtt_keys="", listeners="", wait_ports=(), persistence_dir=None, cwd=None,
                 auth_keys=""):
        self.port = free_port()
        self.http_port = free_port() if http is not None else None
        self.workdir = tempfile.TemporaryDirectory(prefix="akasa-test-")
        auth = "auth:\n  enable: false\n"
        if not allow_anonymous:
            auth = f"auth:\n  enable: true\n  password_file: {password_file}\n"
        if auth_keys:
            auth += textwrap.indent(textwrap.dedent(auth_keys).strip() + "\n", "  ")
        self.config_path = os.path.join(self.workdir.name, "akasa.yaml")
        with open(self.config_path, "w") as f:
            f.write(f"listeners:\n  mqtt:\n    addr: 127.0.0.1:{self.port}\n")
            if mqtt_keys:
                f.write(textwrap.indent(textwrap.dedent(mqtt_keys).strip() + "\n", "    "))
            if listeners:
                f.write(textwrap.indent(textwrap.dedent(listeners).strip() + "\n", "  "))
            if http is not None:
                f.write(f"  http:\n    addr: 127.0.0.1:{self.http_port}\n")
                f.write(textwrap.indent(textwrap.dedent(http), "    "))
                f.write("\n")
            f.write(auth)
            f.write(textwrap.dedent(extra_yaml))
            if persistence_dir is not None:
                f.write(f"\npersistence:\n  enable: true\n  dir: {persistence_dir}\n")
        self.log_path = os.path.join(self.workdir.name, "akasa.log")
        self.wait_ports = tuple(wait_ports)
        self.cwd = cwd
        self.proc = None

    def __enter__(self):
        self.log = open(self.log_path, "w")
        self._launch()
        return self

    def _launch(self):
        self.proc = subprocess.Popen(
            [BINARY, "start", "--config", self.config_path],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=self.cwd)
        try:
            wait_for_port(self.port, self.proc)
            if self.http_port is not None:
                wait_for_port(self.http_port, self.proc)
            for port in self.wait_ports:
                wait_for_port(port, self.proc)
        except Exception:
            self.stop()
            raise

    def kill9(self):
        """SIGKILL (a crash: nothing is flushed, no clean shutdown); returns the status."""
        self.proc.kill()
        return self.proc.wait()

    def restart(self):
        """Starts the binary again with the same config (and store) after kill9() or stop();
        returns once it listens again."""
        if self.log.closed:
            self.log = open(self.log_path, "a")
        self._launch()

    def stop(self):
        """SIGTERM, then the exit status; returns it (0 is a clean shutdown)."""
        stop_process(self.proc)
        self.log.close()
        return self.proc.returncode

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def __exit__(self, exc_type, exc, tb):
        status = self.stop()
        if exc_type is None and status != 0:
            raise AssertionError(
                f"akasa exited with status {status} on SIGTERM; log:\n{self.log_text()}")
        self.workdir.cleanup()
        return False


def wait_for_log(server, fragment, timeout=15.0):
    """Returns the server's log once it contains `fragment`. The log file has no change
    event, so it is polled."""
    deadline = time.monotonic() + timeout
    while True:
        text = server.log_text()
        if fragment in text:
            return text
        if time.monotonic() >= deadline:
            raise AssertionError(f"{fragment!r} not in the server log within {timeout} s:\n{text}")
        time.sleep(0.05)
