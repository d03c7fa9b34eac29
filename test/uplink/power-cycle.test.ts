import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { NodeState } from '../../firmware/node/node-state.js';
import { memoryPreferences } from '../../hal/contracts/preferences.js';
import type { HttpReply } from '../../hal/contracts/http.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { NodeRuntimeNode } from '../../sim/node/node-runtime-node.js';
import type { NodeStatus } from '../../sim/node/simulated-node.js';
import { httpUplink, XsNode } from '../../sim/node/xs-node.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { tempDir } from '../hub/helpers.js';

/**
 * README "Restarts": a node whose power goes at any point of its uplink
 * cycle boots again from its persisted chain head (Preferences) and carries
 * on, against a real hub over HTTP, its firmware inside XS and on Node. The
 * way to the hub is scripted per point: a batch that never reaches the hub
 * (cut before the send), one the hub stores whose answer never comes back
 * (cut after the send), and one acknowledged (cut after the ack).
 */
const T0 = Date.UTC(2026, 5, 1);
const PIN = 4;
const tmp = tempDir('fazt-power-cycle-');
after(() => tmp.cleanup());

type Mode = 'pass' | 'drop' | 'lose';
type Event = NodeStatus['events'][number];

async function rig(engine: 'xs' | 'node', seed: number) {
  const clock = new VirtualClock(T0);
  const hub = new Hub({ dataDir: `${tmp.dir}/${engine}-${seed}`, host: '127.0.0.1', port: 0, clock: () => Math.floor(clock.now()), log: () => undefined });
  const url = (await hub.start()).url;
  const identity = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
  hub.cartridge.addNode(identity.publicKey, { name: 'porch', board: 'esp32-devkitc' });
  const prefs = memoryPreferences();
  const send = httpUplink(() => url);
  const w = {
    mode: 'pass' as Mode,
    attempts: 0,
    replies: [] as { status: number; body: string }[],
    /** Rewrites a reply before the node sees it (a forger on the way). */
    tamper: undefined as ((body: string) => string) | undefined,
    /** Called with every reply the node gets. */
    onReply: undefined as ((body: string) => void) | undefined,
  };
  let board: SimBoard | undefined;
  const o = {
    name: 'porch',
    board: getBoard('esp32-devkitc'),
    clock,
    config: {
      board: 'esp32-devkitc',
      secretKey: toJsonValue(identity.secretKey),
      hub: { url, publicKey: toJsonValue(hub.publicKey) },
      sensors: [
        { name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 1000 },
        { name: 'relay', driver: 'digital-output', pin: PIN, intervalMs: 3_600_000 },
      ],
      uplink: { batchSize: 4, maxDelayMs: 2000 },
      buffer: { budgetBytes: 65536 },
    } as JsonValue,
    uplink: async (hex: string): Promise<HttpReply> => {
      w.attempts++;
      if (w.mode === 'drop') return { error: 'the power went before the batch left' };
      const r = await send(hex);
      if (w.mode === 'lose') return { error: 'the power went before the answer came' };
      if (!('status' in r)) return r;
      let body = Buffer.from(r.body).toString();
      if (w.tamper) body = w.tamper(body);
      w.replies.push({ status: r.status, body });
      w.onReply?.(body);
      return { status: r.status, body: new Uint8Array(Buffer.from(body)) };
    },
    collect: true,
    preferences: prefs,
    wire: (b: SimBoard) => {
      board = b;
      const m = new Bme280Model(0x76, b.clock);
      m.setValue('temperature', 21.5);
      b.attachI2c(m);
    },
  };
  const node = engine === 'xs' ? await XsNode.start(o) : new NodeRuntimeNode('porch', o);
  const events: Event[] = [];
  let last: NodeStatus | undefined;
  const run = async (ms: number): Promise<NodeStatus> => {
    last = (await node.run(clock.now() + ms)).status;
    events.push(...last.events);
    return last;
  };
  const stored = () => [...hub.cartridge.chain(identity.id)];
  return {
    hub,
    id: identity.id,
    node,
    prefs,
    w,
    events,
    run,
    stored,
    pin: () => (board as SimBoard).pins.driven(PIN),
    persisted: () => new NodeState(prefs).chain(),
    hubHead: () => hub.cartridge.head(identity.id)?.seq ?? 0,
    /** The hub's chain verifies entry by entry to its stored head, across any signed gap; no entry twice. */
    verifies: () => {
      const head = verifyStoredChains(hub.cartridge, nodeCrypto).find((h) => h.node === identity.id);
      assert.equal(head?.seq, hub.cartridge.head(identity.id)?.seq, 'the stored chain verifies to its head');
      const ids = stored().map((e) => e.id);
      assert.equal(new Set(ids).size, ids.length, 'no entry stored twice');
    },
    close: async () => {
      await node.close();
      await hub.stop();
    },
  };
}

const CUTS = [
  { point: 'before the send', mode: 'drop' },
  { point: 'after the send, before the ack', mode: 'lose' },
  { point: 'after the ack', mode: 'pass' },
] as const;

for (const engine of ['xs', 'node'] as const) {
  describe(`a ${engine === 'xs' ? 'XS' : 'Node'} node power-cycled during its uplink continues its chain`, () => {
    CUTS.forEach(({ point, mode }, i) => {
      it(`cut ${point}: it continues after its persisted head, declares what the hub may lack, nothing acknowledged is lost or doubled`, async () => {
        const r = await rig(engine, 90 + i + (engine === 'xs' ? 0 : 10));
        try {
          await r.run(10_000);
          const acked = r.hubHead();
          assert.ok(acked >= 8, `uplinked before the cut (hub head ${acked})`);
          const before = r.stored();
          r.w.mode = mode;
          const tries = r.w.attempts;
          await r.run(mode === 'pass' ? 4000 : 2500);
          assert.ok(r.w.attempts > tries, 'a batch was signed and sent on its way before the cut');
          const saved = r.persisted();
          assert.ok(saved, 'the chain head is persisted');
          const held = r.hubHead();
          if (mode === 'drop') assert.equal(held, acked, 'nothing reached the hub');
          else assert.equal(held, saved.seq, 'the hub stored every batch that left');
          assert.ok(saved.seq > acked || mode === 'pass', `the persisted head ${saved.seq} is that of the last batch`);

          await r.node.powerCycle();
          r.w.mode = 'pass';
          const status = await r.run(15_000);

          const boots = r.events.filter((e) => e.type === 'system.boot');
          assert.equal(boots.length, 2);
          assert.equal(boots[1].seq, saved.seq + 1, 'the chain continues right after the persisted head');
          const resumed = r.events.filter((e) => e.type === 'system.chain.resumed');
          assert.equal(resumed.length, 1);
          const { from, to } = resumed[0].data as { from: number; to: number };
          assert.equal(to, saved.seq);
          assert.ok(from <= held + 1, `declared ${from}..${to}: from the first seq the hub may lack`);
          assert.equal(r.w.replies.filter((x) => x.status !== 200).length, 0, 'no refusal: the hub took the continued chain');
          assert.equal(r.hubHead(), status.head - status.buffered, 'every entry since the boot is stored');
          assert.ok(r.hubHead() > saved.seq + 8, 'and the node kept uplinking');
          // What the hub held before the cut is still its chain, unchanged.
          const after = r.stored();
          assert.deepEqual(
            after.slice(0, before.length).map((e) => e.id),
            before.map((e) => e.id),
          );
          // Only what the hub never had is a gap, node-signed: the batch cut before the send.
          const gaps = r.hub.cartridge.gaps(r.id).map((g) => [g.from, g.to]);
          assert.deepEqual(gaps, mode === 'drop' ? [[acked + 1, saved.seq]] : []);
          r.verifies();
        } finally {
          await r.close();
        }
      });
    });

    it('a command applied before a power cycle is not applied again after it, though the hub sends it again', async () => {
      const r = await rig(engine, engine === 'xs' ? 95 : 105);
      try {
        await r.run(6000);
        const q = r.hub.cartridge.commands;
        const c = q.enqueue(r.id, { output: 'relay', op: 'on' }, { notAfterMs: T0 + 600_000 });
        // The answer carrying the command arrives; everything after it is lost with the power.
        r.w.onReply = (body) => {
          if (body.includes(c.id)) r.w.mode = 'drop';
        };
        await r.run(5000);
        assert.equal(r.pin(), 1, 'the command was applied');
        assert.equal(r.events.filter((e) => e.type === 'effect.applied').length, 1);
        assert.notEqual(q.get(c.id)?.state, 'applied', 'its evidence never reached the hub');
        await r.node.powerCycle();
        r.w.onReply = undefined;
        r.w.mode = 'pass';
        const status = await r.run(10_000);
        assert.ok(r.w.replies.filter((x) => x.body.includes(c.id)).length >= 2, 'the hub sent the command again after the restart');
        assert.equal(r.events.filter((e) => e.type === 'effect.applied').length, 1, 'not applied twice');
        assert.equal(r.pin(), 0, "the rebooted board's relay stays off");
        assert.ok((status.downlink?.duplicates ?? 0) >= 1, `skipped as a duplicate: ${JSON.stringify(status.downlink)}`);
        assert.equal(status.downlink?.lastSeq, c.seq);
        r.verifies();
      } finally {
        await r.close();
      }
    });
  });
}

describe('a node that lost its persisted state (flash erased, key kept)', () => {
  it('XS: an unsigned or forged head in the chain-broken refusal is ignored; the hub-signed one lets it continue from the hub head', async () => {
    const r = await rig('xs', 97);
    try {
      await r.run(10_000);
      for (const k of r.prefs.keys('fazt')) r.prefs.delete('fazt', k);
      const head = r.hubHead();
      let refusals = 0;
      r.w.tamper = (body) => {
        if (!body.includes('chain-broken')) return body;
        const j = JSON.parse(body) as { error: { head: { sig?: string } } };
        refusals++;
        if (refusals === 1) delete j.error.head.sig;
        else if (refusals === 2) j.error.head.sig = (j.error.head.sig?.startsWith('0') ? '1' : '0') + j.error.head.sig?.slice(1);
        return JSON.stringify(j);
      };
      await r.node.powerCycle(); // its first batch leaves at boot
      const status = await r.run(20_000);
      const broken = r.w.replies.filter((x) => x.status === 409).map((x) => JSON.parse(x.body) as { error: { code: string; head: { seq: number } } });
      assert.deepEqual(
        broken.map((b) => [b.error.code, b.error.head.seq]),
        [
          ['chain-broken', head],
          ['chain-broken', head],
          ['chain-broken', head],
        ],
        'refused until a head signed by the hub came',
      );
      const adopted = r.events.filter((e) => e.type === 'system.chain.adopted');
      assert.equal(adopted.length, 1, 'the unsigned and the forged head changed nothing');
      assert.equal((adopted[0].data as { hubSeq: number }).hubSeq, head);
      const stored = r.stored();
      const boot = stored.filter((e) => e.type === 'system.boot');
      assert.equal(boot.length, 2);
      assert.equal(boot[1].seq, head + 1, "the new boot's entries, signed again, continue the hub's head");
      assert.equal(r.hubHead(), status.head - status.buffered, 'everything since is stored');
      assert.deepEqual(r.hub.cartridge.gaps(r.id), []);
      r.verifies();
    } finally {
      await r.close();
    }
  });
});
