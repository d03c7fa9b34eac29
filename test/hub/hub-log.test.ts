import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { batchSignedForm, createBatch } from '../../firmware/batch/batch.js';
import { entryHash, sourceNode } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { verifyChain } from '../../firmware/event/verify-chain.js';
import { identityFromSecretKey, nodeIdFromPublicKey } from '../../firmware/identity/node-id.js';
import { HubLog } from '../../host/hub/hub-log.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { crypto, tempDir, TestNode } from './helpers.js';

const tmp = tempDir('fazt-hublog-');
after(() => tmp.cleanup());
let n = 0;
const hubKey = identityFromSecretKey(new Uint8Array(32).fill(77), crypto);
const level = (value: number, cause: string) => ({
  node: 'fzaaaaaaaaaaaaaaaaaaaaaaaa',
  component: 'bme280',
  name: 'temperature',
  value,
  unit: 'Cel',
  at: 1_767_225_600_000,
  causes: [cause],
});

function open(file = join(tmp.dir, `h${++n}.db`), clock = () => 1_767_225_600_000) {
  const c = Cartridge.open(file, { clock });
  return { c, file, log: new HubLog({ cartridge: c, identity: hubKey, crypto, clock }) };
}

describe('the hub as a source (HubLog)', () => {
  it('appends to its own chain under the id its key derives, signed, chained and stored like a node batch', () => {
    const { c, log } = open();
    const a = log.append('percept.level', 'percept', level(21.5, 'aaaaaaaaaaaaaaaa'));
    const [b, d] = log.appendMany([
      { type: 'percept.level', component: 'percept', data: level(21.8, 'bbbbbbbbbbbbbbbb') },
      { type: 'percept.level', component: 'percept', data: level(22.1, 'cccccccccccccccc'), time: 1_767_225_601_234 },
    ]);
    assert.equal(log.id, nodeIdFromPublicKey(hubKey.publicKey, crypto));
    assert.deepStrictEqual(
      [a, b, d].map((e) => [sourceNode(e.source), e.seq, e.clock]),
      [
        [log.id, 1, 'rtc'],
        [log.id, 2, 'rtc'],
        [log.id, 3, 'rtc'],
      ],
    );
    assert.equal(d.time, 1_767_225_601_234);
    const stored = [...c.chain(log.id)];
    assert.deepStrictEqual(stored, [a, b, d], 'stored exactly as made and returned');
    assert.equal(verifyChain(log.id, stored, crypto).fresh.length, 3, 'the chain verifies from seq 1 as a node chain does');
    const hub = c.nodes('hub');
    assert.deepStrictEqual(
      hub.map((x) => [x.id, x.kind, x.headSeq, x.eventCount]),
      [[log.id, 'hub', 3, 3]],
    );
    assert.deepStrictEqual(c.head(log.id)?.hash, entryHash(d, crypto));
    assert.deepStrictEqual(
      c.nodes().map((x) => x.id),
      [],
      'GET /v1/nodes lists enrolled nodes, not the hub',
    );
    c.close();
  });

  it('seq continues from the stored head after a restart, and the whole chain still verifies', () => {
    const first = open();
    first.log.append('percept.level', 'percept', level(20, 'aaaaaaaaaaaaaaaa'));
    first.log.append('percept.level', 'percept', level(21, 'bbbbbbbbbbbbbbbb'));
    first.c.close();
    const again = open(first.file);
    assert.equal(again.log.seq, 2);
    const e = again.log.append('percept.level', 'percept', level(22, 'cccccccccccccccc'));
    assert.equal(e.seq, 3);
    const chain = [...again.c.chain(again.log.id)];
    assert.equal(verifyChain(again.log.id, chain, crypto).fresh.length, 3);
    again.c.close();
  });

  it('refuses data its schema does not allow, naming the path, and stores nothing', () => {
    const { c, log } = open();
    const before = c.counts();
    assert.throws(
      () => log.append('percept.level', 'percept', { ...level(1, 'aaaaaaaaaaaaaaaa'), causes: [] }),
      /hub event 0 \(percept\.level\).*\/data\/causes/,
    );
    assert.throws(() => log.append('percept.level', 'percept', { ...level(1, 'x'), causes: ['not-an-id'] }), /\/data\/causes\/0/);
    assert.throws(() => log.append('percept.level', 'percept', { ...level(1, 'aaaaaaaaaaaaaaaa'), colour: 'red' }), /\/data\/colour/);
    assert.throws(() => log.append('weather.unheard-of', 'percept', level(1, 'aaaaaaaaaaaaaaaa')), /\/type/);
    // A type of its own (a rule's emit) must say which rule made it and why.
    assert.throws(() => log.append('percept.unheard-of', 'percept', level(1, 'aaaaaaaaaaaaaaaa')), /\/data\/rule is required/);
    assert.throws(() => log.append('system.rule.invented', 'rules', { rule: 'r', causes: [] }), /\/type/);
    assert.deepStrictEqual(c.counts(), before);
    assert.equal(log.append('percept.level', 'percept', level(1, 'aaaaaaaaaaaaaaaa')).seq, 1, 'a refusal does not move the head');
    c.close();
  });

  it('its chain grows only through the hub: a batch for it through the uplink path is refused, even signed with its key', () => {
    const { c, log } = open();
    log.append('percept.level', 'percept', level(1, 'aaaaaaaaaaaaaaaa'));
    const head = c.head(log.id);
    const forged = new EventLog({ nodeId: log.id, crypto, clock: () => 1_767_225_700_000, head });
    const batch = createBatch([forged.append('percept.level', 'percept', level(99, 'zzzzzzzzzzzzzzzz'))], hubKey, crypto);
    assert.throws(
      () => c.ingestBatch(batch),
      (e: unknown) => (e as { code?: string }).code === 'unknown-node' && /this hub's own chain/.test(String(e)),
    );
    assert.deepStrictEqual(c.head(log.id), head);
    // ...and a node's chain never through the hub's path.
    const node = new TestNode(5);
    c.addNode(node.identity.publicKey);
    node.append(1);
    assert.throws(() => c.ingestOwn(node.batch(1, 1)), /an enrolled node, not this hub/);
    c.close();
  });

  it('what reaches its chain passes the batch checks a node batch passes: signature (bad-signature) and key (key-mismatch)', () => {
    const { c, log } = open();
    log.append('percept.level', 'percept', level(1, 'aaaaaaaaaaaaaaaa'));
    const other = identityFromSecretKey(new Uint8Array(32).fill(78), crypto);
    const next = () => {
      const l = new EventLog({ nodeId: log.id, crypto, clock: () => 1, head: c.head(log.id) });
      return createBatch([l.append('percept.level', 'percept', level(2, 'aaaaaaaaaaaaaaaa'))], hubKey, crypto);
    };
    const forged = next();
    forged.sig = createBatch(forged.entries, other, crypto).sig;
    assert.throws(
      () => c.ingestOwn(forged),
      (e: unknown) => (e as { code?: string }).code === 'bad-signature',
    );
    const swapped = next();
    swapped.key = other.publicKey;
    assert.throws(
      () => c.ingestOwn(swapped),
      (e: unknown) => (e as { code?: string }).code === 'key-mismatch',
    );
    assert.equal(c.head(log.id)?.seq, 1);
    c.close();
  });

  it('takes its own signatures as checked only for a key pair that is one: each stored checkpoint verifies with its key; a mismatched pair is refused at once', () => {
    const { c, log } = open();
    log.append('percept.level', 'percept', level(1, 'aaaaaaaaaaaaaaaa'));
    log.appendMany([
      { type: 'percept.level', component: 'percept', data: level(2, 'bbbbbbbbbbbbbbbb') },
      { type: 'percept.level', component: 'percept', data: level(3, 'cccccccccccccccc') },
    ]);
    const checkpoints = c.db
      .prepare<[], { first: number; last: number; head: Buffer; signature: Buffer }>('SELECT first, last, head, signature FROM checkpoints ORDER BY last')
      .all();
    assert.deepEqual(
      checkpoints.map((k) => [
        k.first,
        k.last,
        crypto.verify(new Uint8Array(k.signature), batchSignedForm(log.id, k.first, k.last, new Uint8Array(k.head)), hubKey.publicKey),
      ]),
      [
        [1, 1, true],
        [2, 3, true],
      ],
    );
    const other = identityFromSecretKey(new Uint8Array(32).fill(79), crypto);
    assert.throws(
      () => new HubLog({ cartridge: c, identity: { ...hubKey, publicKey: other.publicKey }, crypto, clock: () => 1_767_225_600_000 }),
      /identity\.publicKey is not the public key of identity\.secretKey/,
    );
    c.close();
  });

  it('a commit listener that appends in answer to a hub event, outside any transaction, chains onto that event', () => {
    const { c, log } = open();
    const answered: number[] = [];
    c.onStored((entries) => {
      for (const e of entries) {
        if (sourceNode(e.source) !== log.id || e.seq !== 1) continue; // answer the first event only
        answered.push(log.append('percept.level', 'percept', level(2, 'bbbbbbbbbbbbbbbb')).seq);
      }
    });
    const first = log.append('percept.level', 'percept', level(1, 'aaaaaaaaaaaaaaaa'));
    assert.equal(first.seq, 1);
    assert.deepStrictEqual(answered, [2], 'the answer was stored as the next entry, not refused as a fork');
    assert.equal(c.head(log.id)?.seq, 2);
    assert.equal(log.append('percept.level', 'percept', level(3, 'cccccccccccccccc')).seq, 3, 'and the log goes on from there');
    assert.equal(verifyChain(log.id, [...c.chain(log.id)], crypto).fresh.length, 3);
    c.close();
  });
});
