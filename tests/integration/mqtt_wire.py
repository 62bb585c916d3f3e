"""Just enough MQTT framing for tests that speak raw bytes over a socket (exact packets,
reason codes and malformed input that client libraries would not send)."""

import struct


def varint(n):
    """A Variable Byte Integer (spec 1.5.5), e.g. a Remaining Length."""
    out = bytearray()
    while True:
        byte = n % 128
        n //= 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def mqtt_string(s):
    """A UTF-8 string or binary data with its two-byte length (spec 1.5.4 / 1.5.6)."""
    data = s.encode() if isinstance(s, str) else s
    return struct.pack("!H", len(data)) + data


def packet(first_byte, body):
    """A whole packet: fixed header byte, Remaining Length, body."""
    return bytes([first_byte]) + varint(len(body)) + body


def read_exactly(sock, n):
    """n bytes from the socket, or fewer if the peer closed first (b"" when closed)."""
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


class PacketReader:
    """Reads whole packets from a socket, buffering what arrives beyond them."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the server")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def packet(self):
        """(first byte, body) of the next packet; ConnectionError when the peer closed."""
        first = self.read(1)[0]
        length, shift = 0, 0
        while True:
            byte = self.read(1)[0]
            length += (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        return first, self.read(length)
