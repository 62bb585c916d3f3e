// MQTT.js (npm `mqtt`) as a WebSocket peer for the Python listener tests.
//
//   node mqtt_client.js '{"url": "wss://localhost:8443/mqtt", "ca": "/tmp/ca.crt", ...}'
//
// Options: url, protocolVersion (4 or 5), clientId, ca / cert / key (file paths),
// subscribe (a topic, QoS 2), publish ([{topic, payload | size, qos}]), expect (messages to
// receive before ending), timeoutMs.
// Prints one line per event on stdout: CONNECTED, SUBSCRIBED <granted>, MESSAGE <json>,
// PUBLISHED <n>, DONE; failures print ERROR <text> and exit non-zero.
'use strict';

const fs = require('fs');
const mqtt = require('mqtt');

const options = JSON.parse(process.argv[2]);
const say = (line) => process.stdout.write(line + '\n');
const fail = (text, code) => {
  say('ERROR ' + text);
  process.exit(code || 1);
};

const timer = setTimeout(() => fail('timeout', 2), options.timeoutMs || 15000);

const connectOptions = {
  protocolVersion: options.protocolVersion || 4,
  clientId: options.clientId || 'mqttjs-' + process.pid,
  reconnectPeriod: 0,
  connectTimeout: 10000,
  clean: true,
};
if (options.ca) connectOptions.ca = fs.readFileSync(options.ca);
if (options.cert) connectOptions.cert = fs.readFileSync(options.cert);
if (options.key) connectOptions.key = fs.readFileSync(options.key);

const client = mqtt.connect(options.url, connectOptions);
let connected = false;
let received = 0;
const expected = options.expect || 0;

let finishing = false;
function finish() {
  if (finishing) return;
  finishing = true;
  client.end(false, () => {
    clearTimeout(timer);
    say('DONE');
    process.exit(0);
  });
}

function payloadOf(p) {
  if (p.size !== undefined) {
    const buffer = Buffer.alloc(p.size);
    for (let i = 0; i < p.size; i++) buffer[i] = i % 251;
    return buffer;
  }
  return p.payload;
}

function publishAll(done) {
  const list = options.publish || [];
  let left = list.length;
  if (left === 0) return done();
  for (const p of list) {
    client.publish(p.topic, payloadOf(p), { qos: p.qos || 0 }, (err) => {
      if (err) fail('publish: ' + err.message);
      if (--left === 0) {
        say('PUBLISHED ' + list.length);
        done();
      }
    });
  }
}

client.on('connect', () => {
  connected = true;
  say('CONNECTED');
  const afterPublish = () => {
    if (received >= expected) finish();
  };
  if (options.subscribe) {
    client.subscribe(options.subscribe, { qos: 2 }, (err, granted) => {
      if (err) fail('subscribe: ' + err.message);
      say('SUBSCRIBED ' + granted.map((g) => g.qos).join(','));
      publishAll(afterPublish);
    });
  } else {
    publishAll(afterPublish);
  }
});

client.on('message', (topic, payload, packet) => {
  received++;
  let intact = true;
  for (let i = 0; i < payload.length && payload.length > 1000; i++) {
    if (payload[i] !== i % 251) intact = false;
  }
  say('MESSAGE ' + JSON.stringify({
    topic,
    qos: packet.qos,
    size: payload.length,
    text: payload.length <= 1000 ? payload.toString() : '',
    intact,
  }));
  if (received >= expected && expected > 0) finish();
});

client.on('error', (err) => fail(err.message));
client.on('close', () => {
  if (!connected) fail('closed before CONNACK');
});
