"""Shared pieces of the listener tests (test_listener_*.py): required tools, test
certificates made with openssl, MQTT.js from npm, haproxy, raw MQTT packets and waiting
for a server log line.

Nothing is skipped: a missing tool fails the test with a message naming the package that
scripts/install-deps installs."""

import os
import shutil
import socket
import ssl
import struct
import subprocess
import time
import warnings

from akasa_harness import wait_for_log  # noqa: F401 (re-exported)

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_DIR = os.path.join(HERE, "node")
TIMEOUT = 15


def require_tools(*tools):
    """Raises with a clear message when a tool the test drives is not installed."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        raise AssertionError(
            f"missing test tools: {', '.join(missing)}; run scripts/install-deps test "
            "(packages openssl, mosquitto-clients, haproxy, nodejs/npm, curl)")


# --- certificates ---

class Certificates:
    """A CA, a server certificate for localhost / 127.0.0.1, a client certificate from that
    CA (CN device-1), and a client certificate from another CA (CN stranger) that must be
    refused. All files live in `directory`; the attributes are their paths."""

    def __init__(self, directory):
        require_tools("openssl")
        self.dir = directory
        self._ca("ca", "Akasa Test CA")
        self._leaf("server", "localhost", "ca", server=True)
        self._leaf("client", "device-1", "ca")
        self._ca("other_ca", "Other Test CA")
        self._leaf("stranger", "stranger", "other_ca")
        self.ca = self.path("ca.crt")
        self.server_cert, self.server_key = self.path("server.crt"), self.path("server.key")
        self.client_cert, self.client_key = self.path("client.crt"), self.path("client.key")
        self.stranger_cert = self.path("stranger.crt")
        self.stranger_key = self.path("stranger.key")

    def path(self, name):
        return os.path.join(self.dir, name)

    def _openssl(self, *args):
        done = subprocess.run(["openssl", *args], cwd=self.dir, capture_output=True, text=True,
                              timeout=60)
        if done.returncode != 0:
            raise AssertionError(f"openssl {' '.join(args)} failed: {done.stderr}")

    def _ca(self, name, cn):
        self._openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                      "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "2",
                      "-subj", f"/CN={cn}")

    def _leaf(self, name, cn, ca, server=False):
        """An EC key and a certificate signed by `ca`, with its own file name: `name`."""
        self._openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                      "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                      "-subj", f"/O=Akasa Tests/CN={cn}")
        ext = self.path(f"{name}.ext")
        with open(ext, "w") as f:
            if server:
                f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                        "extendedKeyUsage=serverAuth\n")
            else:
                f.write("extendedKeyUsage=clientAuth\n")
        self._openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey",
                      f"{ca}.key", "-CAcreateserial", "-days", "2", "-out", f"{name}.crt",
                      "-extfile", ext)

    def make_server(self, name, cn):
        """Another server certificate from the test CA (for the SIGHUP reload test)."""
        self._leaf(name, cn, "ca", server=True)
        return self.path(f"{name}.crt"), self.path(f"{name}.key")


def server_certificate(port, ca):
    """The DER certificate a TLS listener on 127.0.0.1:port presents to a new connection,
    verified against `ca` for the name localhost."""
    context = ssl.create_default_context(cafile=ca)
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            return tls.getpeercert(binary_form=True)


def tls_listener_yaml(kind, port, certs, *, verify_peer=False, fail_if_no_peer_cert=False,
                      proxy=False, cert=None, key=None):
    """The YAML of an mqtts / wss listener on 127.0.0.1:port."""
    return (f"{kind}:\n"
            f"  addr: 127.0.0.1:{port}\n"
            f"  proxy: {'true' if proxy else 'false'}\n"
            f"  ca_file: {certs.ca}\n"
            f"  cert_file: {cert or certs.server_cert}\n"
            f"  key_file: {key or certs.server_key}\n"
            f"  verify_peer: {'true' if verify_peer else 'false'}\n"
            f"  fail_if_no_peer_cert: {'true' if fail_if_no_peer_cert else 'false'}\n")


# --- raw MQTT ---

def connect_packet(client_id, keep_alive=30):
    """An MQTT 3.1.1 CONNECT with clean session."""
    cid = client_id.encode()
    body = b"\x00\x04MQTT\x04\x02" + struct.pack("!H", keep_alive) + struct.pack("!H", len(cid)) + cid
    return bytes([0x10, len(body)]) + body


CONNACK_OK = b"\x20\x02\x00\x00"


def recv_exactly(sock, n, timeout=TIMEOUT):
    sock.settimeout(timeout)
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def recv_until_closed(sock, timeout=TIMEOUT):
    """Everything the server sends until it closes the connection."""
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


# --- MQTT.js ---

def node_mqtt_ready():
    """Installs the npm package `mqtt` into tests/integration/node when missing."""
    require_tools("node", "npm")
    if os.path.isfile(os.path.join(NODE_DIR, "node_modules", "mqtt", "package.json")):
        return
    done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-package-lock"],
                          cwd=NODE_DIR, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"npm install of MQTT.js failed:\n{done.stdout}\n{done.stderr}")


def start_node_client(options):
    """Starts tests/integration/node/mqtt_client.js with `options` (see that file)."""
    import json
    return subprocess.Popen(["node", os.path.join(NODE_DIR, "mqtt_client.js"),
                             json.dumps(options)],
                            cwd=NODE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


# --- haproxy ---

class Haproxy:
    """A haproxy process of our own, in the foreground, with a generated config; stopped
    at the end. `config` is everything after the global/defaults sections."""

    def __init__(self, directory, config, ports):
        require_tools("haproxy")
        self.path = os.path.join(directory, "haproxy.cfg")
        with open(self.path, "w") as f:
            f.write("global\n    maxconn 100\n"
                    "defaults\n    mode tcp\n    timeout connect 5s\n"
                    "    timeout client 60s\n    timeout server 60s\n")
            f.write(config)
        check = subprocess.run(["haproxy", "-c", "-f", self.path], capture_output=True,
                               text=True, timeout=30)
        if check.returncode != 0:
            raise AssertionError(f"haproxy refused its config:\n{check.stdout}{check.stderr}")
        self.log_path = os.path.join(directory, "haproxy.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", self.path], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        for port in ports:
            self._wait_for_port(port)

    def _wait_for_port(self, port):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"haproxy exited with {self.proc.returncode}: "
                                     f"{open(self.log_path).read()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"haproxy did not listen on {port}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


# --- paho (Debian's python3-paho-mqtt) ---

class PahoClient:
    """A paho 3.1.1 client whose events a test can wait for; TLS when `ca` is given."""

    def __init__(self, port, client_id, ca=None, cert=None, key=None, transport="tcp"):
        import queue
        import paho.mqtt.client as mqtt
        self.port = port
        self.messages = queue.Queue()
        self.connack = queue.Queue()
        self.subacks = queue.Queue()
        self.client = mqtt.Client(client_id=client_id, clean_session=True, transport=transport)
        if ca:
            with warnings.catch_warnings():
                # paho 1.6 asks for ssl.PROTOCOL_TLS, deprecated: paho's warning, not ours.
                warnings.simplefilter("ignore", DeprecationWarning)
                self.client.tls_set(ca_certs=ca, certfile=cert, keyfile=key)
        self.client.on_connect = lambda c, u, flags, rc: self.connack.put(rc)
        self.client.on_message = lambda c, u, msg: self.messages.put(msg)
        self.client.on_subscribe = lambda c, u, mid, granted: self.subacks.put(granted)

    def connect(self, host="localhost"):
        """Connects; returns the CONNACK return code (0: accepted)."""
        self.client.connect(host, self.port, keepalive=30)
        self.client.loop_start()
        return self.connack.get(timeout=TIMEOUT)

    def subscribe(self, topic, qos=1):
        self.client.subscribe(topic, qos)
        return self.subacks.get(timeout=TIMEOUT)

    def publish(self, topic, payload, qos=1):
        info = self.client.publish(topic, payload, qos)
        info.wait_for_publish(TIMEOUT)
        if not info.is_published():
            raise AssertionError(f"publish to {topic} was not acknowledged")

    def next_message(self):
        return self.messages.get(timeout=TIMEOUT)

    def local_port(self):
        return self.client.socket().getsockname()[1]

    def disconnect(self):
        self.client.disconnect()
        self.client.loop_stop()
