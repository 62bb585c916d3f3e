"""Shared by the offline-queue tests (test_offline_queue*.py), with paho-mqtt clients: a
persistent session that subscribes and leaves, a publisher of numbered QoS 1 messages, and
the session resumed, recording what it gets."""

import threading

import paho.mqtt.client as mqtt

TIMEOUT = 120.0


def subscribe_and_leave(port, client_id, topic):
    """A persistent 3.1.1 session (clean session 0) with a QoS 1 subscription, then away."""
    subscribed = threading.Event()
    client = mqtt.Client(client_id=client_id, clean_session=False)
    client.on_subscribe = lambda c, u, mid, granted: subscribed.set()
    client.connect("127.0.0.1", port)
    client.loop_start()
    client.subscribe(topic, 1)
    if not subscribed.wait(TIMEOUT):
        raise AssertionError("no SUBACK")
    client.disconnect()
    client.loop_stop()


def publish_numbered(port, topic, count, size):
    """Publishes payloads "<i>:" padded to `size` bytes at QoS 1; returns when all are
    acknowledged (each PUBACK: the broker has stored it for the offline sessions)."""
    client = mqtt.Client(client_id="numbered-publisher", clean_session=True)
    client.max_inflight_messages_set(100)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    infos = []
    for i in range(count):
        payload = f"{i}:".encode().ljust(size, b".")
        infos.append(client.publish(topic, payload, qos=1))
    for info in infos:
        info.wait_for_publish(TIMEOUT)
        if not info.is_published():
            raise AssertionError("a PUBLISH was not acknowledged")
    client.disconnect()
    client.loop_stop()


class Resumed:
    """The persistent session `client_id` resumed (clean session 0): every delivery's number
    and DUP flag, in the order they came. paho acknowledges each after on_message."""

    def __init__(self, port, client_id):
        self.deliveries = []  # (number, dup)
        self.changed = threading.Condition()
        self.client = mqtt.Client(client_id=client_id, clean_session=False)
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _on_message(self, client, userdata, message):
        with self.changed:
            self.deliveries.append((int(message.payload.split(b":", 1)[0]), bool(message.dup)))
            self.changed.notify_all()

    def first_deliveries(self):
        """The numbers of the deliveries without the DUP flag, in order."""
        with self.changed:
            return [number for number, dup in self.deliveries if not dup]

    def numbers(self):
        """The numbers of every delivery, resent ones too, in order."""
        with self.changed:
            return [number for number, _ in self.deliveries]

    def wait_for(self, count, idle=10.0):
        """Returns once `count` first deliveries arrived, or once nothing came for `idle`
        seconds."""
        self.wait_until(lambda: len(self.first_deliveries()) >= count, idle)

    def wait_until(self, done, idle=10.0):
        """Returns once done() is true (checked at each delivery), or once nothing came for
        `idle` seconds."""
        with self.changed:
            while not done():
                before = len(self.deliveries)
                self.changed.wait(idle)
                if len(self.deliveries) == before:
                    return

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def come_back(port, client_id, expected, idle=10.0):
    """Resumes the session and returns the numbers received (first deliveries, in the order
    they came) once `expected` arrived, or once nothing came for `idle` seconds."""
    session = Resumed(port, client_id)
    session.wait_for(expected, idle)
    session.close()
    return session.first_deliveries()
