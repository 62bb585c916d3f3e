"""`akasa start` with configs it must refuse: one clear sentence on stderr that names the key,
and a non-zero exit status, before anything listens."""

import os
import socket
import subprocess
import tempfile
import unittest

from akasa_harness import BINARY, AkasaServer, free_port, wait_for_log, wait_for_port


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

    def test_unknown_key_is_a_warning_naming_it_and_the_server_starts(self):
        # Issue 16 item 2: a config written for the Rust Akasa carries keys we do not have.
        with AkasaServer("max_allowed_qoss: 1\n", http="swagger_ui: true\n") as server:
            log = server.log_text()
            self.assertIn("max_allowed_qoss: unknown key", log)
            self.assertIn('did you mean "max_allowed_qos"?', log)
            self.assertIn("listeners.http.swagger_ui: unknown key", log)

    def test_a_config_with_only_the_http_listener_starts(self):
        http_port = free_port()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "akasa.yaml")
            with open(path, "w") as f:
                f.write(f"listeners:\n  http:\n    addr: 127.0.0.1:{http_port}\n"
                        "auth:\n  enable: false\n")
            proc = subprocess.Popen([BINARY, "start", "--config", path],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            try:
                wait_for_port(http_port, proc)
                with socket.create_connection(("127.0.0.1", http_port)) as s:
                    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                    self.assertIn(b"200", s.recv(4096))
            finally:
                proc.terminate()
                output, _ = proc.communicate(timeout=20)
            self.assertEqual(proc.returncode, 0, output)
            self.assertIn("only the http listener is configured", output)

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

    def test_proxy_mode_and_websocket_listeners_start(self):
        # Served since issue 5 (they used to be refused): the server starts and listens.
        ws_port = free_port()
        with AkasaServer(mqtt_keys="proxy_mode: Normal",
                         listeners=f"ws:\n  addr: 127.0.0.1:{ws_port}\n",
                         wait_ports=[ws_port]) as server:
            self.assertIn("listening for ws on", server.log_text())

    def test_a_port_in_use_names_the_process_holding_it(self):
        # Issue 16 item 14: "Address already in use" says by whom, in one line.
        holder = socket.socket()
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with open("/proc/self/comm") as f:
            name = f.read().strip()
        try:
            self.assert_refused(f"listeners:\n  mqtt:\n    addr: 127.0.0.1:{port}\n"
                                "auth:\n  enable: false\n", f"127.0.0.1:{port}",
                                f"held by {name} (pid {os.getpid()})", "in use")
        finally:
            holder.close()

    def test_the_log_says_what_relative_paths_are_relative_to(self):
        # Issue 16 item 15: persistence.dir "data" is the working directory's.
        with tempfile.TemporaryDirectory() as workdir:
            workdir = os.path.realpath(workdir)
            with AkasaServer(persistence_dir="data", cwd=workdir) as server:
                log = wait_for_log(server, " started")
            self.assertIn(f"relative to the working directory {workdir}", log)
            self.assertIn(f"from {workdir}/data in", log)
            self.assertTrue(os.path.isdir(os.path.join(workdir, "data")))

    def test_unknown_proxy_mode_is_named(self):
        self.assert_refused(f"listeners:\n  mqtt:\n    addr: 127.0.0.1:{free_port()}\n"
                            "    proxy_mode: Sometimes\nauth:\n  enable: false\n",
                            "proxy_mode")

if __name__ == "__main__":
    unittest.main(verbosity=2)
