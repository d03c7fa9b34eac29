/**
 * The downlink's work on a node, one piece per command, for the XS meter
 * (bench/node-xs.ts): checking a hub's signed answer, acting on its
 * commands through a digital output (its pin a stub inside XS) and
 * recording the outcomes, signing a poll, and, beside them, signing a
 * batch, and the JavaScript crypto alone (one SHA-256 of an event, one
 * Ed25519 signature of a batch): what a Moddable build runs natively.
 * Portable code only.
 */
import { batchToValue, createBatch } from '../../../firmware/batch/batch.js';
import { encodeCbor } from '../../../firmware/codec/cbor-encode.js';
import { fromHex } from '../../../firmware/codec/text-encodings.js';
import type { Value } from '../../../firmware/codec/value.js';
import type { CryptoProvider } from '../../../firmware/crypto/crypto-provider.js';
import { nobleCrypto } from '../../../firmware/crypto/noble-crypto.js';
import type { EventEntry } from '../../../firmware/event/envelope.js';
import { EventLog } from '../../../firmware/event/event-log.js';
import { identityFromSecretKey, type NodeIdentity } from '../../../firmware/identity/node-id.js';
import { Downlink } from '../../../firmware/node/downlink.js';
import { NodeOutputs } from '../../../firmware/node/node-outputs.js';
import { createPoll } from '../../../firmware/uplink/downlink-poll.js';
import { checkAck } from '../../../firmware/uplink/signed-ack.js';
import { uplinkResult, type UplinkAck } from '../../../firmware/uplink/transport.js';
import { DigitalOutput } from '../../../hal/drivers/digital-output/digital-output.js';
import type { HalTime } from '../../../hal/contracts/time.js';
import { serveCommands } from '../xs-guest.js';

/** The last bytes hashed and signed, so that each can be metered again alone. */
let lastHashed: Uint8Array = new Uint8Array(0);
let lastSigned: Uint8Array = new Uint8Array(0);
const crypto: CryptoProvider = {
  ...nobleCrypto,
  sha256: (data) => nobleCrypto.sha256((lastHashed = data)),
  sign: (message, secretKey) => nobleCrypto.sign((lastSigned = message), secretKey),
};

let node: NodeIdentity | undefined;
let hubKey: Uint8Array | undefined;
let log: EventLog | undefined;
let t = 1_767_225_600_000;
const pending: EventEntry[] = [];
const time: HalTime = { now: () => t, delay: () => undefined, setTimeout: () => 0, clearTimeout: () => undefined };

function ready(): { node: NodeIdentity; hubKey: Uint8Array; log: EventLog } {
  if (!node || !hubKey || !log) throw new Error('call setup first');
  return { node, hubKey, log };
}

function answerOf(replyJson: string): UplinkAck {
  const r = uplinkResult(200, replyJson);
  if (!r.ok) throw new Error('not an acknowledgement');
  return r.ack;
}

serveCommands({
  /** The cost of an exchange itself (the command's JSON both ways), to read the others against. */
  noop: () => 0,
  setup: (nodeSeedHex: string, hubKeyHex: string) => {
    node = identityFromSecretKey(fromHex(nodeSeedHex), crypto);
    hubKey = fromHex(hubKeyHex);
    log = new EventLog({ nodeId: node.id, crypto, clock: () => (t += 10) });
    return node.id;
  },
  /** Parses and verifies an answer: what every acknowledgement costs before anything is trusted. */
  verify: (replyJson: string, headHex: string) => {
    const r = ready();
    const c = checkAck(answerOf(replyJson), { node: r.node.id, head: fromHex(headHex), nonce: null }, r.hubKey, crypto);
    if (!c.ok) throw new Error(`${c.reason}: ${c.message}`);
    return c.commands.length;
  },
  /** The node's whole handling: verify, act on each command through a digital output, record each outcome on the chain. */
  handle: (replyJson: string, headHex: string, outputs: string[]) => {
    const r = ready();
    const bank = new NodeOutputs(outputs.map((name, i) => ({ name, driver: 'digital-output', pin: 10 + i, intervalMs: 60_000 })));
    for (let i = 0; i < outputs.length; i++) {
      const pin = { write: () => undefined, read: () => 0, close: () => undefined };
      bank.attach(outputs[i], new DigitalOutput({ pin: 10 + i, time, openDigital: () => pin as never }));
    }
    const downlink = new Downlink({
      nodeId: r.node.id,
      hubKey: r.hubKey,
      crypto,
      outputs: bank,
      now: () => t,
      record: (type: string, component: string, data: Value) => void pending.push(r.log.append(type, component, data)),
      onTime: () => undefined,
    });
    return downlink.answer(answerOf(replyJson), { head: fromHex(headHex), nonce: null, sentAt: t, receivedAt: t });
  },
  poll: () => {
    const r = ready();
    return createPoll(r.node, r.log.head, new Uint8Array(16).fill(1), crypto).length;
  },
  /** Appends n readings, then (a separate exchange, so it is metered alone) signs them as one batch. */
  append: (n: number) => {
    const r = ready();
    pending.length = 0;
    for (let i = 0; i < n; i++)
      pending.push(r.log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 20 + i / 10, quality: 'good', time: t }));
    return pending.length;
  },
  sign: () => encodeCbor(batchToValue(createBatch(pending, ready().node, crypto))).length,
  /** The byte counts of the last event hashed and the last batch signed (after `sign`). */
  cryptoSizes: () => ({ hashed: lastHashed.length, signed: lastSigned.length }),
  /** SHA-256 of the last event's hashed form, alone. */
  hashOnly: () => nobleCrypto.sha256(lastHashed).length,
  /** The Ed25519 signature of the last batch's signed form, alone. */
  signOnly: () => nobleCrypto.sign(lastSigned, ready().node.secretKey).length,
});
