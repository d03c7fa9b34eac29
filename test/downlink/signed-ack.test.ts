import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { checkAction } from '../../firmware/uplink/command-action.js';
import { createPoll, pollFromCbor, verifyPoll } from '../../firmware/uplink/downlink-poll.js';
import { type AckFields, type AckReply, checkAck, type DownlinkCommand, signAck } from '../../firmware/uplink/signed-ack.js';
import { uplinkResult, type UplinkAck } from '../../firmware/uplink/transport.js';
import { nodeCrypto as crypto } from '../../host/crypto/node-crypto.js';

const hub = identityFromSecretKey(new Uint8Array(32).fill(1), crypto);
const other = identityFromSecretKey(new Uint8Array(32).fill(2), crypto);
const node = identityFromSecretKey(new Uint8Array(32).fill(3), crypto);
const head = new Uint8Array(32).fill(0xab);
const nonce = new Uint8Array(16).fill(0x5a);
const commands: DownlinkCommand[] = [
  { id: 'aaaaaaaaaaaaaaaa', seq: 1, action: { output: 'relay', op: 'on' }, notAfter: 1_800_000_000_000 },
  { id: 'bbbbbbbbbbbbbbbb', seq: 2, action: { output: 'relay', op: 'pulse', ms: 1500 }, notAfter: 1_800_000_000_000 },
];
const fields = (over: Partial<AckFields> = {}): AckFields => ({
  node: node.id,
  ack: 7,
  stored: 3,
  time: 1_767_225_600_000,
  commands,
  head,
  nonce: null,
  ...over,
});

/** The answer as the node's transport parses it from the hub's JSON. */
const received = (reply: AckReply | Record<string, unknown>): UplinkAck => {
  const r = uplinkResult(200, JSON.stringify(reply));
  assert.ok(r.ok);
  return r.ack;
};
const check = (reply: AckReply | Record<string, unknown>, expectNonce: Uint8Array | null = null, expectHead = head) =>
  checkAck(received(reply), { node: node.id, head: expectHead, nonce: expectNonce }, hub.publicKey, crypto);

describe('the signed acknowledgement', () => {
  it('verifies against the hub key after crossing JSON, with its time and commands; the form is the documented CBOR', () => {
    const reply = signAck(fields(), hub, crypto);
    assert.deepStrictEqual(Object.keys(reply).sort(), ['ack', 'commands', 'head', 'sig', 'stored', 'time']);
    const c = check(reply);
    assert.ok(c.ok, JSON.stringify(c));
    assert.equal(c.time, 1_767_225_600_000);
    assert.deepStrictEqual(c.commands, commands);
    const form = encodeCbor(['fazt/ack/v1', node.id, 7, 3, 1_767_225_600_000, commands as never, head, null]);
    assert.ok(crypto.verify(Buffer.from(reply.sig, 'hex'), form, hub.publicKey), 'sig is over ["fazt/ack/v1", node, ack, stored, time, commands, head, nonce]');
    const none = signAck(fields({ commands: [] }), hub, crypto);
    assert.equal(none.commands, undefined, 'no commands: none in the JSON, [] in the signed form');
    assert.ok(check(none).ok);
  });

  it('refuses an unsigned answer, a forged one (wrong key), a changed field, and malformed signature fields, each by name', () => {
    const { sig: _sig, ...unsigned } = signAck(fields(), hub, crypto);
    const u = check(unsigned);
    assert.ok(!u.ok && u.reason === 'unsigned');
    assert.deepStrictEqual(u.carried, ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'], 'the ids it carried, for the record');
    const forged = check(signAck(fields(), other, crypto));
    assert.ok(!forged.ok && forged.reason === 'bad-signature', JSON.stringify(forged));
    const good = signAck(fields(), hub, crypto);
    for (const changed of [
      { ...good, time: good.time + 3_600_000 },
      { ...good, ack: 99 },
      { ...good, commands: [{ ...commands[0], notAfter: commands[0].notAfter + 1 }, commands[1]] },
      { ...good, commands: [commands[0]] },
    ]) {
      const r = check(changed);
      assert.ok(!r.ok && r.reason === 'bad-signature', JSON.stringify(r));
    }
    for (const [bad, what] of [
      [{ ...good, sig: 'zz' }, 'sig'],
      [{ ...good, head: 'ab' }, 'head'],
      [{ ...good, time: undefined }, 'time'],
      [{ ...good, commands: [{ ...commands[0], extra: 1 }] }, 'commands[0]'],
      [{ ...good, commands: 'on' }, 'commands'],
    ] as const) {
      const r = check(bad);
      assert.ok(!r.ok && r.reason === 'malformed' && r.message.includes(what), JSON.stringify(r));
    }
  });

  it('refuses as a replay an answer that verifies but answers another request: another batch, another poll, a poll answer given to a batch', () => {
    const otherHead = new Uint8Array(32).fill(0xcd);
    const r1 = check(signAck(fields({ head: otherHead }), hub, crypto));
    assert.ok(!r1.ok && r1.reason === 'replay', JSON.stringify(r1));
    const toPoll = signAck(fields({ nonce }), hub, crypto);
    assert.equal(toPoll.nonce, Buffer.from(nonce).toString('hex'));
    assert.ok(check(toPoll, nonce).ok);
    const r2 = check(toPoll, new Uint8Array(16).fill(0x5b));
    assert.ok(!r2.ok && r2.reason === 'replay', JSON.stringify(r2));
    const r3 = check(toPoll, null);
    assert.ok(!r3.ok && r3.reason === 'replay');
    const r4 = check(signAck(fields(), hub, crypto), nonce);
    assert.ok(!r4.ok && r4.reason === 'replay', 'an uplink answer is no answer to a poll');
  });
});

describe('the downlink poll', () => {
  it('is signed by the node over ["fazt/poll/v1", node, seq, head, nonce] and decodes back', () => {
    const bytes = createPoll(node, { seq: 12, hash: head }, nonce, crypto);
    const p = pollFromCbor(bytes);
    assert.deepStrictEqual([p.v, p.node, p.seq, p.head, p.nonce], [1, node.id, 12, head, nonce]);
    assert.ok(verifyPoll(p, node.publicKey, crypto));
    assert.ok(!verifyPoll(p, other.publicKey, crypto));
    assert.ok(!verifyPoll({ ...p, nonce: new Uint8Array(16) }, node.publicKey, crypto), 'the nonce is signed');
    assert.ok(crypto.verify(p.sig, encodeCbor(['fazt/poll/v1', node.id, 12, head, nonce]), node.publicKey));
  });

  it('refuses malformed polls naming the field', () => {
    const p = pollFromCbor(createPoll(node, { seq: 1, hash: head }, nonce, crypto));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...p, nonce: new Uint8Array(8) }, /nonce must be 16 bytes/],
      [{ ...p, head: 'x' }, /head must be 32 bytes/],
      [{ ...p, node: 'someone' }, /node is not a node id/],
      [{ ...p, seq: -1 }, /seq must be an integer/],
      [{ ...p, extra: true }, /field 'extra'/],
      [{ ...p, v: 2 }, /v must be 1/],
    ];
    for (const [value, message] of cases) assert.throws(() => pollFromCbor(encodeCbor(value as never)), { code: 'malformed', message });
    assert.throws(() => createPoll(node, { seq: 1, hash: head }, new Uint8Array(4), crypto), RangeError);
  });
});

describe('a command action', () => {
  it('is {output, op, ms?, duty?}; a mistake names its field', () => {
    assert.deepStrictEqual(checkAction({ output: 'relay', op: 'pulse', ms: 250 }), { output: 'relay', op: 'pulse', ms: 250 });
    assert.deepStrictEqual(checkAction({ output: 'led', op: 'duty', duty: 0.25 }), { output: 'led', op: 'duty', duty: 0.25 });
    const cases: [unknown, RegExp][] = [
      [null, /action must be an options object/],
      [[], /must be an object/],
      [{ output: 'Relay!', op: 'on' }, /action\.output must name an output/],
      [{ output: 'relay', op: 'blink' }, /action\.op must be one of on, off, toggle, pulse, duty/],
      [{ output: 'relay', op: 'pulse' }, /action\.ms must be an integer/],
      [{ output: 'relay', op: 'pulse', ms: 0 }, /action\.ms must be from 1/],
      [{ output: 'relay', op: 'on', ms: 5 }, /action\.ms belongs to op 'pulse'/],
      [{ output: 'led', op: 'duty', duty: 1.5 }, /action\.duty must be a number from 0 to 1/],
      [{ output: 'relay', op: 'on', colour: 'red' }, /action\.colour is not a field/],
    ];
    for (const [action, message] of cases) assert.throws(() => checkAction(action), { message });
  });
});
