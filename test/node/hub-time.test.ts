import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import type { Reading } from '../../firmware/event/reading.js';
import { checkLinks } from '../../firmware/event/verify-chain.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { NodeRuntimeNode } from '../../sim/node/node-runtime-node.js';
import type { NodeStatus, SimulatedNode } from '../../sim/node/simulated-node.js';
import { httpUplink, XsNode } from '../../sim/node/xs-node.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { tempDir } from '../hub/helpers.js';

/**
 * A node whose device clock is two hours behind a real hub (HTTP, SQLite):
 * the hub's clock is the simulated one plus the skew, so every ack carries
 * the hub's time at the moment it answers. Run on XS and on Node.
 */
const T0 = Date.UTC(2026, 2, 1);
const SKEW = 2 * 3_600_000;
/** How far a stamped time may sit from the hub's clock at the moment it stands for. */
const TOLERANCE_MS = 300;

type Event = NodeStatus['events'][number];
interface Window {
  from: number;
  to: number;
  events: Event[];
  status: NodeStatus;
}

async function rig(engine: 'xs' | 'node', seed: number, mode?: 'rtc' | 'hub') {
  const clock = new VirtualClock(T0); // the node's own clock
  const tmp = tempDir('fazt-hubtime-');
  const hub = new Hub({ dataDir: tmp.dir, host: '127.0.0.1', port: 0, clock: () => Math.floor(clock.now()) + SKEW, log: () => undefined });
  const { url } = await hub.start();
  const identity = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
  hub.cartridge.addNode(identity.publicKey, { board: 'esp32-devkitc' });
  const config: JsonValue = {
    board: 'esp32-devkitc',
    secretKey: toJsonValue(identity.secretKey),
    hub: { url, publicKey: toJsonValue(hub.publicKey) },
    sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 1000 }],
    uplink: { batchSize: 16, maxDelayMs: 5000 },
    buffer: { budgetBytes: 65536 },
    ...(mode ? { clock: mode } : {}),
  };
  const o = {
    name: 'skewed',
    board: getBoard('esp32-devkitc'),
    clock,
    config,
    uplink: httpUplink(() => url),
    collect: true,
    wire: (b: SimBoard) => {
      const m = new Bme280Model(0x76, b.clock);
      m.setValue('temperature', 21.5);
      b.attachI2c(m);
    },
  };
  const node: SimulatedNode = engine === 'xs' ? await XsNode.start(o) : new NodeRuntimeNode('skewed', o);
  /** Runs in steps, keeping the local time span each step's events were recorded in. */
  const run = async (steps: number[]): Promise<Window[]> => {
    const out: Window[] = [];
    for (const ms of steps) {
      const from = clock.now();
      const { status } = await node.run(from + ms);
      out.push({ from, to: clock.now(), events: status.events, status });
    }
    return out;
  };
  const close = async () => {
    await node.close();
    await hub.stop();
    tmp.cleanup();
  };
  return { hub, url, id: identity.id, node, run, close };
}

const within = (t: number, w: Window, shift: number) => t >= w.from + shift - TOLERANCE_MS && t <= w.to + shift + TOLERANCE_MS;

describe("nodes without a real-time clock take the hub's time", () => {
  for (const engine of ['xs', 'node'] as const) {
    it(`${engine}: 'unsynced' until the boot-time ack, then 'hub' within ${TOLERANCE_MS} ms of the hub's clock; the hub stores, returns and verifies them`, async () => {
      const r = await rig(engine, 41);
      try {
        // The first 3 s in 100 ms steps (the first batch must go at boot, not after batchSize or maxDelayMs), then 1 s steps.
        const windows = await r.run([...Array<number>(30).fill(100), ...Array<number>(17).fill(1000)]);
        const first = windows[0];
        assert.ok(first.status.uplink.acked >= 1, 'acknowledged within 100 ms of boot');
        const boot = [...r.hub.cartridge.chain(r.id)][0];
        assert.deepStrictEqual(
          [boot.seq, boot.type, boot.clock, boot.time],
          [1, 'system.boot', 'unsynced', T0],
          'stored at boot, stamped by the unsynced local clock',
        );

        const all = windows.flatMap((w) => w.events.map((e) => ({ e, w })));
        assert.deepStrictEqual(
          all.map((x) => x.e.seq),
          all.map((_, i) => i + 1),
        );
        const syncAt = all.findIndex((x) => x.e.type === 'system.clock');
        assert.ok(syncAt > 0, 'a system.clock event after boot');
        const sync = all[syncAt].e;
        const d = sync.data as { source: string; offsetMs: number; rttMs: number; stepMs: number };
        assert.equal(sync.clock, 'hub');
        assert.equal(d.source, 'hub');
        assert.ok(Math.abs(d.offsetMs - SKEW) <= TOLERANCE_MS, `offset ${d.offsetMs}`);
        assert.equal(d.stepMs, d.offsetMs, 'the first sync steps by the whole offset');
        assert.ok(d.rttMs >= 0 && d.rttMs <= TOLERANCE_MS, `rtt ${d.rttMs}`);
        assert.equal(all.filter((x) => x.e.type === 'system.clock').length, 1, 'later corrections stay under the 1 s threshold');

        for (const { e, w } of all.slice(0, syncAt)) {
          assert.equal(e.clock, 'unsynced', `seq ${e.seq}`);
          assert.ok(within(e.time, w, 0), `seq ${e.seq}: local time ${e.time - T0} ms after boot`);
        }
        const after = all.slice(syncAt);
        for (const { e, w } of after) {
          assert.equal(e.clock, 'hub', `seq ${e.seq}`);
          assert.ok(within(e.time, w, SKEW), `seq ${e.seq} at ${e.time - T0 - SKEW} ms hub time, recorded between ${w.from - T0} and ${w.to - T0} ms`);
          if (e.type === 'sensor.reading') assert.equal((e.data as unknown as Reading).time, e.time, 'the reading keeps the same corrected time');
        }
        assert.ok(after.filter((x) => x.e.type === 'sensor.reading').length >= 50);
        const last = windows[windows.length - 1].status.clock;
        assert.deepStrictEqual([last.mode, last.source], ['hub', 'hub']);
        assert.ok(Math.abs(last.offsetMs - SKEW) <= TOLERANCE_MS && last.syncs >= 2, JSON.stringify(last));

        const stored = [...r.hub.cartridge.chain(r.id)];
        assert.ok(stored.length >= 40, `${stored.length} stored`);
        checkLinks(r.id, stored, nodeCrypto);
        assert.deepStrictEqual(
          stored.map((e) => [e.seq, e.clock, e.time]),
          all.slice(0, stored.length).map((x) => [x.e.seq, x.e.clock, x.e.time]),
        );
        const api = (await (
          await fetch(`${r.url}/v1/events?node=${r.id}&limit=1000`, { headers: { authorization: `Bearer ${r.hub.ownerToken}` } })
        ).json()) as { events: { seq: number; clock?: string }[] };
        assert.deepStrictEqual(
          api.events.map((e) => e.clock),
          stored.map((e) => e.clock),
        );
        const ce = (await (
          await fetch(`${r.url}/v1/events?node=${r.id}&limit=3&format=cloudevents`, { headers: { authorization: `Bearer ${r.hub.ownerToken}` } })
        ).json()) as { events: { faztclock?: string }[] };
        assert.equal(ce.events[0].faztclock, 'unsynced');
      } finally {
        await r.close();
      }
    });

    it(`${engine}: clock 'rtc' keeps its own time, says 'rtc', waits for a full batch, and only reports the drift`, async () => {
      const r = await rig(engine, 42, 'rtc');
      try {
        const windows = await r.run([100, ...Array<number>(12).fill(1000)]);
        assert.equal(windows[0].status.uplink.sent, 0, 'no batch at boot');
        const all = windows.flatMap((w) => w.events.map((e) => ({ e, w })));
        assert.ok(all.length > 20);
        for (const { e, w } of all) {
          assert.equal(e.clock, 'rtc');
          assert.ok(within(e.time, w, 0), `seq ${e.seq} on the node's own clock`);
        }
        assert.ok(!all.some((x) => x.e.type === 'system.clock'));
        const c = windows[windows.length - 1].status.clock;
        assert.deepStrictEqual([c.mode, c.source, c.offsetMs], ['rtc', 'rtc', 0]);
        assert.ok(c.syncs >= 1 && Math.abs((c.driftMs ?? 0) - SKEW) <= TOLERANCE_MS, JSON.stringify(c));
        const stored = [...r.hub.cartridge.chain(r.id)];
        assert.ok(stored.length >= 16 && stored.every((e) => e.clock === 'rtc'));
        checkLinks(r.id, stored, nodeCrypto);
      } finally {
        await r.close();
      }
    });
  }
});
