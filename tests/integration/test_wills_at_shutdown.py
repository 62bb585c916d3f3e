"""Wills when the server itself stops (SIGTERM), with the persistent store on.

The server closes every connection without a DISCONNECT from the client, so each client's
will is published [MQTT-3.1.2-8] while all workers still run: a retained will is in the
retained store after the restart and an offline persistent session subscribed to it gets it
queued. A v5 will with a delay whose session is stored is not published at the stop: its
delay keeps running in the store and it goes out after the restart
(docs/persistence.md, "Recovery")."""

import queue
import tempfile
import unittest

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from akasa_harness import AkasaServer

TIMEOUT = 20.0
WORKERS = "worker_threads: 2\n"


class Listener:
    """A connected paho client putting every message it gets on a queue."""

    def __init__(self, port, client_id, clean_session=True):
        self.messages = queue.Queue()
        self.client = mqtt.Client(client_id=client_id, clean_session=clean_session)
        self.client.on_message = lambda c, u, m: self.messages.put(m)
        connected = queue.Queue()
        self.client.on_connect = lambda c, u, f, rc: connected.put(rc)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        if connected.get(timeout=TIMEOUT) != 0:
            raise AssertionError(f"{client_id} was refused")

    def subscribe(self, topic):
        done = queue.Queue()
        self.client.on_subscribe = lambda c, u, mid, granted: done.put(granted)
        self.client.subscribe(topic, 1)
        done.get(timeout=TIMEOUT)

    def next_message(self):
        return self.messages.get(timeout=TIMEOUT)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def connect_with_will(port, client_id, topic, payload, retain=False, protocol=mqtt.MQTTv311,
                      will_delay=None, session_expiry=None):
    """A client that stays connected with a will; returned running."""
    client = mqtt.Client(client_id=client_id, protocol=protocol)
    will_properties = None
    if will_delay is not None:
        will_properties = Properties(PacketTypes.WILLMESSAGE)
        will_properties.WillDelayInterval = will_delay
    client.will_set(topic, payload, qos=1, retain=retain, properties=will_properties)
    connected = queue.Queue()
    if protocol == mqtt.MQTTv5:
        client.on_connect = lambda c, u, f, rc, props=None: connected.put(rc)
        connect_properties = Properties(PacketTypes.CONNECT)
        connect_properties.SessionExpiryInterval = session_expiry or 0
        client.connect("127.0.0.1", port, clean_start=False, properties=connect_properties)
    else:
        client.on_connect = lambda c, u, f, rc: connected.put(rc)
        client.connect("127.0.0.1", port)
    client.loop_start()
    if connected.get(timeout=TIMEOUT) != 0:
        raise AssertionError(f"{client_id} was refused")
    return client


class WillsAtShutdown(unittest.TestCase):
    def test_retained_and_queued_wills_survive_a_restart(self):
        with tempfile.TemporaryDirectory(prefix="akasa-store-") as store, \
                AkasaServer(WORKERS, persistence_dir=store) as server:
            keeper = Listener(server.port, "keeper", clean_session=False)
            keeper.subscribe("status/#")
            keeper.close()  # offline: its QoS 1 messages are queued (and stored)
            device = connect_with_will(server.port, "device-1", "status/device-1", "offline",
                                       retain=True)

            self.assertEqual(server.stop(), 0)
            device.loop_stop()
            server.restart()

            fresh = Listener(server.port, "fresh")
            fresh.subscribe("status/device-1")
            retained = fresh.next_message()
            self.assertEqual((retained.topic, retained.payload, retained.retain),
                             ("status/device-1", b"offline", True))
            fresh.close()

            keeper = Listener(server.port, "keeper", clean_session=False)
            queued = keeper.next_message()
            self.assertEqual((queued.topic, queued.payload), ("status/device-1", b"offline"))
            keeper.close()

    def test_delayed_will_of_a_stored_session_goes_out_after_the_restart(self):
        with tempfile.TemporaryDirectory(prefix="akasa-store-") as store, \
                AkasaServer(WORKERS, persistence_dir=store) as server:
            device = connect_with_will(server.port, "device-5", "status/device-5", "late",
                                       protocol=mqtt.MQTTv5, will_delay=2, session_expiry=300)
            self.assertEqual(server.stop(), 0)
            device.loop_stop()
            self.assertNotIn("shutdown: published", open(server.log_path).read())
            server.restart()

            watcher = Listener(server.port, "watcher")
            watcher.subscribe("status/#")
            will = watcher.next_message()  # its 2 s delay counts from the stop
            self.assertEqual((will.topic, will.payload), ("status/device-5", b"late"))
            watcher.close()


if __name__ == "__main__":
    unittest.main()
