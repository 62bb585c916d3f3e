#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets other than the MQTT decoder (make_corpus.cpp
writes that one) into fuzz/corpus/<target>/: a handful of small valid inputs and a few
interesting invalid ones per target, built here from the specs with the standard library
only. The config seeds start from `akasa default-config` (both variants), so the script
needs a built `akasa`:

    fuzz/make_seeds.py build/akasa

Files are overwritten; inputs a fuzz run found (crashes kept as regressions) are other
files in the same folders and are left alone.
"""
import base64
import hashlib
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# --- WebSocket frames (RFC 6455 5.2); the first byte is the target's option byte ----------

def frame(opcode, payload, fin=True, mask=b"\x01\x02\x03\x04", length_form=None):
    head = bytes([(0x80 if fin else 0) | opcode])
    mask_bit = 0x80 if mask is not None else 0
    n = len(payload)
    form = length_form or (7 if n < 126 else 16 if n <= 0xFFFF else 64)
    if form == 7:
        head += bytes([mask_bit | n])
    elif form == 16:
        head += bytes([mask_bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([mask_bit | 127]) + struct.pack(">Q", n)
    if mask is None:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


CONNECT_311 = bytes.fromhex("101000044d5154540402003c0004") + b"fuzz"
PINGREQ = b"\xc0\x00"

SERVER, CLIENT = 0x00, 0x01
SMALL_LIMITS = 0x02  # 512-byte frames, 2 KiB messages


def ws_frame_seeds():
    write("ws_frame", "binary_connect.bin", bytes([SERVER]) + frame(2, CONNECT_311))
    write("ws_frame", "fragmented_with_ping.bin",
          bytes([SERVER]) + frame(2, CONNECT_311[:5], fin=False) + frame(9, b"hi")
          + frame(0, CONNECT_311[5:], fin=False) + frame(0, PINGREQ))
    write("ws_frame", "length16.bin", bytes([SERVER]) + frame(2, bytes(range(256)) * 2))
    write("ws_frame", "length64.bin",
          bytes([SERVER]) + frame(2, bytes(300), length_form=64)[:40])  # non-minimal: refused
    write("ws_frame", "length64_big.bin",
          bytes([SMALL_LIMITS]) + frame(2, bytes(70000))[:32])  # over the limit
    write("ws_frame", "close_with_reason.bin",
          bytes([SERVER]) + frame(2, PINGREQ) + frame(8, struct.pack(">H", 1000) + b"bye"))
    write("ws_frame", "close_empty.bin", bytes([SERVER]) + frame(8, b""))
    write("ws_frame", "pong_unsolicited.bin", bytes([SERVER]) + frame(10, b"x") + frame(2, PINGREQ))
    write("ws_frame", "unmasked.bin", bytes([SERVER]) + frame(2, PINGREQ, mask=None))
    write("ws_frame", "text.bin", bytes([SERVER]) + frame(1, b"hello"))
    write("ws_frame", "client_side.bin",
          bytes([CLIENT]) + frame(2, b"\x20\x02\x00\x00", mask=None) + frame(9, b"", mask=None))


# --- WebSocket upgrade (RFC 6455 4.1) ----------------------------------------------------

def upgrade(extra="", method="GET", path="/mqtt", version="HTTP/1.1",
            key="dGhlIHNhbXBsZSBub25jZQ==", protocol="mqtt"):
    head = f"{method} {path} {version}\r\nHost: broker.example\r\nUpgrade: websocket\r\n" \
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
    if protocol is not None:
        head += f"Sec-WebSocket-Protocol: {protocol}\r\n"
    return head + extra + "\r\n"


def ws_handshake_seeds():
    write("ws_handshake", "valid.txt", upgrade())
    write("ws_handshake", "valid_then_frame.bin", upgrade().encode() + frame(2, CONNECT_311))
    write("ws_handshake", "subprotocol_list.txt", upgrade(protocol="wamp, mqttv3.1, mqtt"))
    write("ws_handshake", "no_subprotocol.txt", upgrade(protocol=None))
    write("ws_handshake", "other_subprotocol.txt", upgrade(protocol="chat"))
    write("ws_handshake", "bad_key.txt", upgrade(key="short"))
    write("ws_handshake", "wrong_path.txt", upgrade(path="/ws?x=1"))
    write("ws_handshake", "post.txt", upgrade(method="POST", extra="Content-Length: 4\r\n"))
    write("ws_handshake", "http10.txt", upgrade(version="HTTP/1.0"))
    write("ws_handshake", "version8.txt",
          upgrade().replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"))
    write("ws_handshake", "no_upgrade.txt", "GET /mqtt HTTP/1.1\r\nHost: b\r\n\r\n")


# --- PROXY protocol (HAProxy's proxy-protocol.txt) --------------------------------------

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def tlv(kind, value):
    return bytes([kind]) + struct.pack(">H", len(value)) + value


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def v2(command, family, addresses, tlvs=b"", with_crc=False):
    if with_crc:
        tlvs += tlv(0x03, b"\0\0\0\0")
    body = addresses + tlvs
    header = V2_SIGNATURE + bytes([0x20 | command, family]) + struct.pack(">H", len(body)) + body
    if with_crc:
        header = header[:-4] + struct.pack(">I", crc32c(header))
    return header


def proxy_header_seeds():
    after = b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00"
    write("proxy_header", "v1_tcp4.txt", b"PROXY TCP4 192.0.2.1 198.51.100.2 56324 1883\r\n" + after)
    write("proxy_header", "v1_tcp6.txt", "PROXY TCP6 2001:db8::1 ::1 65535 8883\r\n")
    write("proxy_header", "v1_unknown.txt", "PROXY UNKNOWN ffff::1 ::2 1 2\r\n")
    write("proxy_header", "v1_bad_port.txt", "PROXY TCP4 1.2.3.4 5.6.7.8 0123 1883\r\n")
    ipv4 = bytes([192, 0, 2, 1, 198, 51, 100, 2]) + struct.pack(">HH", 56324, 1883)
    ipv6 = bytes.fromhex("20010db8000000000000000000000001") + bytes(15) + b"\x01" \
        + struct.pack(">HH", 40000, 8883)
    unix = b"/run/client.sock".ljust(108, b"\0") + b"/run/akasa.sock".ljust(108, b"\0")
    ssl = tlv(0x20, b"\x07" + struct.pack(">I", 0) + tlv(0x21, b"TLSv1.3") + tlv(0x22, b"device-1")
              + tlv(0x23, b"TLS_AES_256_GCM_SHA384") + tlv(0x24, b"SHA256") + tlv(0x25, b"RSA2048"))
    write("proxy_header", "v2_tcp4.bin", v2(1, 0x11, ipv4) + after)
    write("proxy_header", "v2_tcp6_tlvs.bin",
          v2(1, 0x21, ipv6, tlv(0x01, b"mqtt") + tlv(0x02, b"broker.example") + tlv(0x04, b"\0\0")
             + tlv(0x05, b"id-1") + ssl + tlv(0xE0, b"custom"), with_crc=True))
    write("proxy_header", "v2_unix.bin", v2(1, 0x31, unix))
    write("proxy_header", "v2_udp4.bin", v2(1, 0x12, ipv4))
    write("proxy_header", "v2_local.bin", v2(0, 0x00, b""))
    write("proxy_header", "v2_unspec.bin", v2(1, 0x00, b"\x01\x02"))
    write("proxy_header", "v2_short_block.bin", v2(1, 0x21, ipv4))


# --- HTTP listener (RFC 9112) ------------------------------------------------------------

def http_request_seeds():
    write("http_request", "health.txt", "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
    write("http_request", "metrics_pipelined.txt",
          "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\nGET /health?x HTTP/1.1\r\nHost: a\r\n"
          "Connection: close\r\n\r\n")
    write("http_request", "http10_keep_alive.txt",
          "GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /metrics HTTP/1.0\r\n\r\n")
    write("http_request", "not_found.txt", "\r\nGET /nothing HTTP/1.1\r\nHost: a\r\n\r\n")
    write("http_request", "post_body.txt",
          "POST /health HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
    write("http_request", "chunked.txt",
          "GET /health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    write("http_request", "bare_lf.txt", "GET /health HTTP/1.1\nHost: a\n\n")
    write("http_request", "http2.txt", "GET /health HTTP/2.0\r\nHost: a\r\n\r\n")
    write("http_request", "folding.txt", "GET /health HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n")
    write("http_request", "partial.txt", "GET /health HTTP/1.1\r\nHost: a\r\n")


# --- ACL file (Mosquitto's acl_file format) ----------------------------------------------

def acl_rules_seeds():
    every_directive = (
        "# anonymous clients\n"
        "topic read public/#\n"
        "topic deny public/secret\n"
        "\n"
        "user alice\n"
        "topic readwrite alice/#\n"
        "topic write sensors/+/temperature\n"
        "\ttopic   read   $SYS/broker/clients\r\n"
        "topic room with spaces\n"
        "user bob smith\n"
        "topic bob/#\n"
        "pattern read devices/%c/#\n"
        "pattern write users/%u/+/out\n"
        "pattern deny devices/%c/secret\n"
        "pattern $share/g/%u/#\n")
    write("acl_rules", "every_directive.acl", every_directive)
    write("acl_rules", "with_queries.bin",
          every_directive.encode() + b"\0alice\0dev1\0alice/x\0devices/dev1/a\0$share/g/public/+")
    write("acl_rules", "slash_client_id.bin",
          b"pattern readwrite devices/%c/#\0\0a/cmd\0devices/a/cmd/x\0devices/+/#")
    write("acl_rules", "unknown_access.acl", "user a\ntopic rw a/#\n")
    write("acl_rules", "bad_filter.acl", "topic a/#/b\n")
    write("acl_rules", "unknown_directive.acl", "topics a\n")


# --- Password file (auth/password_hash.h) -------------------------------------------------

def b64(data, padding):
    text = base64.b64encode(data).decode()
    return text if padding else text.rstrip("=")


def password_file_seeds():
    salt = bytes(range(16))
    pw = b"secret"
    lines = [
        "alice:sha256," + b64(salt, False) + "," + b64(hashlib.sha256(pw + salt).digest(), False),
        "bob:sha512," + b64(salt, True) + "," + b64(hashlib.sha512(pw + salt).digest(), True),
        "carol:sha256-pkbdf2,128," + b64(salt, False) + ","
        + b64(hashlib.pbkdf2_hmac("sha256", pw, salt, 128), False),
        "",
        "dave:with:colons:sha512-pkbdf2,1000," + b64(salt, False) + ","
        + b64(hashlib.pbkdf2_hmac("sha512", pw, salt, 1000), False),
        "   \t",
        "moss6:$6$" + b64(salt[:12], True) + "$"
        + b64(hashlib.sha512(pw + salt[:12]).digest(), True),
        "moss7:$7$101$" + b64(salt[:12], True) + "$"
        + b64(hashlib.pbkdf2_hmac("sha512", pw, salt[:12], 101), True),
    ]
    write("password_file", "every_kind.txt", "\n".join(lines) + "\n")
    write("password_file", "crlf_no_final_newline.txt", "\r\n".join(lines[:3]))
    write("password_file", "duplicate_user.txt", lines[0] + "\n" + lines[0] + "\n")
    write("password_file", "bad_salt.txt", "x:sha256,!!!," + b64(bytes(32), False) + "\n")
    write("password_file", "no_colon.txt", "just a line\n")
    write("password_file", "zero_iterations.txt",
          "x:sha512-pkbdf2,0," + b64(salt, False) + "," + b64(bytes(64), False) + "\n")
    # mosquitto 2.1's argon2id line (the hash need not match: the target never hashes), with
    # comments, indentation and a user listed twice around it.
    argon2id = ("$argon2id$v=19$m=47104,t=1,p=1$" + b64(salt * 4, False) + "$"
                + b64(bytes(64), False))
    write("password_file", "argon2id_comments_duplicates.txt",
          "# mosquitto 2.1\n  moss:" + argon2id + "  \n\t# indented comment\n"
          + lines[0] + "\n" + "moss:" + argon2id.replace("m=47104", "m=8") + "\r\n")


# --- Config (docs/configuration.md) -------------------------------------------------------

def config_seeds(akasa):
    for variant, args in (("default", []), ("default_anonymous", ["--allow-anonymous"])):
        text = subprocess.run([akasa, "default-config", *args], check=True,
                              capture_output=True).stdout
        write("config", variant + ".yaml", text)
    write("config", "all_listeners.yaml",
          "listeners:\n"
          "  mqtt: {addr: '127.0.0.1:1883', proxy_mode: Normal}\n"
          "  mqtts: {addr: '[::1]:8883', proxy: true, key_file: /etc/passwd,\n"
          "          cert_file: /etc/passwd, ca_file: null}\n"
          "  ws: {addr: '0.0.0.0:8080', reuse_port: true, proxy_mode: TlsTermination}\n"
          "  http: {addr: '127.0.0.1:8081', prometheus: false}\n"
          "auth: {enable: false}\n"
          "sasl_mechanisms: [SCRAM-SHA-256]\n"
          "scram_users:\n"
          "  alice: {hashed_password: 00ff, iterations: 4096, salt: 0a0b}\n"
          "max_allowed_qos: 1\n"
          "log_level: debug\n"
          "plugins: []\n")
    write("config", "anchors.yaml",
          "base: &b {addr: '127.0.0.1:1883'}\nlisteners: {mqtt: *b, ws: *b}\n")
    write("config", "wrong_types.yaml",
          "listeners: {mqtt: {addr: 1883}}\nmax_keep_alive: -1\nmin_keep_alive: [1]\n")
    write("config", "not_a_map.yaml", "- a\n- b\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: fuzz/make_seeds.py PATH_TO_AKASA")
    ws_frame_seeds()
    ws_handshake_seeds()
    proxy_header_seeds()
    http_request_seeds()
    acl_rules_seeds()
    password_file_seeds()
    config_seeds(sys.argv[1])


if __name__ == "__main__":
    main()
