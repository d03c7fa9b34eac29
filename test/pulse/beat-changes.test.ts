import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { identityFromSecretKey, nodeIdFromPublicKey } from '../../firmware/identity/node-id.js';
import { HubLog } from '../../host/hub/hub-log.js';
import { CHANGES_TYPE, metricsOfBeat, PART_CHANGES } from '../../host/pulse/beat-events.js';
import { PulseCounters } from '../../host/pulse/pulse-counters.js';
import { type PulseAnswer, PulseService } from '../../host/pulse/pulse-service.js';
import type { PulseMetrics } from '../../host/pulse/pulse-types.js';
import { StepsCancelled } from '../../host/pulse/steps.js';
import { readWholeBeat } from '../../host/pulse/stored-beats.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { crypto, tempDir } from '../hub/helpers.js';

/**
 * A beat with a thousand status changes (every node's free heap below the
 * critical mark, then back), on a real cartridge and the hub's signed
 * chain: its changes are stored in system.pulse.changes parts before the
 * beat and said after it PART_CHANGES a commit, a slice a turn; they read
 * back exactly; a beat stopped while saying them leaves the rest to the
 * next beat, each said once. The figures come from a stand-in collector
 * (a thousand enrolled nodes would cost the test its time, not its point).
 */
const T0 = Date.UTC(2026, 6, 3, 8);
const MIN = 60_000;
const NODES = 1000;
/** A distinct id for each node: its index in the key's first two bytes (the collector stands in, so no key signs anything). */
const ids = Array.from({ length: NODES }, (_, i) =>
  nodeIdFromPublicKey(
    Uint8Array.from({ length: 32 }, (_, b) => (b === 0 ? i & 0xff : b === 1 ? i >> 8 : 0x5a)),
    crypto,
  ),
);
const hubKey = identityFromSecretKey(new Uint8Array(32).fill(0x42), crypto);

let now = T0;
/** The nodes' lowest free heap this beat: below 8 KB is critical at once (node.min-heap, no pending). */
let minFreeHeap = 4000;
const collector = {
  *collectSteps(): Generator<void, PulseMetrics, void> {
    yield;
    const nodes: PulseMetrics['nodes'] = {};
    for (const [i, id] of ids.entries()) nodes[id] = { name: `node-${i}`, figures: { minFreeHeap }, facts: {}, sensors: {} };
    return { at: now, hub: {}, hubFacts: {}, nodes };
  },
  nodeIds: () => [],
  stop: () => undefined,
};

const tmp = tempDir('fazt-beat-changes-');
let cartridge: Cartridge;
let pulse: PulseService;
function open(): void {
  cartridge = Cartridge.open(join(tmp.dir, 'fazt.db'), { clock: () => now });
  const hubLog = new HubLog({ cartridge, identity: hubKey, crypto, clock: () => now });
  const counters = new PulseCounters(hubKey.id);
  pulse = new PulseService({ everyMs: 0, cartridge, hubLog, clock: () => now, counters, streamClients: () => 0, collector, log: () => undefined });
  pulse.start();
}
const own = (): EventEntry[] => [...cartridge.chain(hubKey.id)];
const isChange = (e: EventEntry) => e.type.startsWith('pulse.') && e.type !== 'pulse.beat';
/** The changes said of node.min-heap on each node, by subject. */
const saidBySubject = (to: string): Map<string, number> => {
  const out = new Map<string, number>();
  for (const e of own())
    if (e.type === `pulse.${to}` && (e.data as ValueMap).check === 'node.min-heap') {
      const s = (e.data as ValueMap).subject as string;
      out.set(s, (out.get(s) ?? 0) + 1);
    }
  return out;
};

before(open);
after(() => {
  cartridge.close();
  tmp.cleanup();
});

describe('a beat with a thousand status changes', () => {
  let first: PulseAnswer;

  it('stores them in parts before the beat and says them after it, at most PART_CHANGES a commit, other callbacks run between', async () => {
    /** Each commit of the hub's chain while the beat ran, as the types it stored, and 'tick' for each turn of a setImmediate chain. */
    const seen: (string[] | 'tick')[] = [];
    const off = cartridge.onStored((entries) => seen.push(entries.map((e) => (isChange(e) ? 'change' : e.type))));
    let on = true;
    const tick = () => {
      seen.push('tick');
      if (on) setImmediate(tick);
    };
    setImmediate(tick);
    try {
      first = await pulse.beatInTurns();
    } finally {
      on = false;
      off();
    }
    const changes = first.judgement.transitions.length;
    assert.ok(changes >= NODES, `every node went critical: ${changes} changes`);
    const commits = seen.filter((s) => s !== 'tick');
    const saying = commits.filter((c) => c.includes('change'));
    assert.ok(
      saying.every((c) => c.length <= PART_CHANGES && c.every((t) => t === 'change')),
      'a commit says at most PART_CHANGES changes and nothing else',
    );
    assert.equal(saying.flat().length, changes, 'every change said');
    assert.equal(saying.length, Math.ceil(changes / PART_CHANGES));
    const beatAt = commits.findIndex((c) => c.includes('pulse.beat'));
    assert.deepEqual(commits[beatAt], ['pulse.beat'], 'the beat is a commit of its own, no change in it');
    assert.deepEqual(
      commits.slice(beatAt - Math.ceil(changes / PART_CHANGES), beatAt),
      Array(Math.ceil(changes / PART_CHANGES)).fill([CHANGES_TYPE]),
      'the changes parts, each a commit, just before the beat',
    );
    assert.ok(
      commits.slice(beatAt + 1).every((c) => c.includes('change')),
      'after the beat, only the commits that say its changes',
    );
    // Between two commits of the beat, other callbacks ran: the ticker turned at least once.
    const stores = seen.flatMap((s, i) => (s === 'tick' ? [] : [i]));
    for (let k = 1; k < stores.length; k++) assert.ok(seen.slice(stores[k - 1], stores[k]).includes('tick'), `the ticker ran between commit ${k - 1} and ${k}`);
  });

  it('reads back exactly: the beat whole carries its changes, and each pulse.<status> says one of them citing the beat', () => {
    const chain = own();
    const beat = chain.find((e) => e.id === first.id) as EventEntry;
    const whole = readWholeBeat(cartridge, hubKey.id, beat.data as ValueMap) as ValueMap;
    assert.deepEqual(metricsOfBeat(whole), JSON.parse(JSON.stringify(first.metrics)));
    const said = chain.filter((e) => isChange(e) && e.seq > beat.seq);
    assert.deepEqual(
      said.map((e) => ({ ...(e.data as ValueMap), causes: ((e.data as ValueMap).causes as string[]).slice(1) })),
      whole.changes,
      'said in the order stored, each as its part holds it',
    );
    assert.ok(said.every((e) => ((e.data as ValueMap).causes as string[])[0] === beat.id));
    const judged = first.judgement.transitions.map((t) => `${t.check} ${t.subject} ${t.from}→${t.to} ${t.value} ${t.at}`);
    assert.deepEqual(
      (whole.changes as ValueMap[]).map((c) => `${c.check} ${c.subject} ${c.from}→${c.to} ${c.value} ${c.at}`),
      judged,
    );
    assert.equal(said.map((e) => e.type).filter((t) => t !== 'pulse.critical').length, 0);
    const issues = first.judgement.verdicts.filter((v) => v.status === 'critical' || v.status === 'degraded');
    assert.ok(issues.length >= NODES);
    assert.deepEqual(
      (whole.issues as ValueMap[]).map((i) => `${i.status} ${i.check} ${i.subject} ${i.since}`),
      issues.map((v) => `${v.status} ${v.check} ${v.subject} ${v.since}`),
      'every issue, in the judge’s order',
    );
    assert.ok(
      ((beat.data as ValueMap).issues as ValueMap[]).every((i) => i.subject === 'hub'),
      'the beat itself lists the hub’s issues only; its nodes’ are in its parts',
    );
  });

  it('stopped while saying them: the restarted hub stands at that beat, and its next beat says the rest, each change said once', async () => {
    now += 15 * MIN;
    minFreeHeap = 60_000;
    let said = 0;
    const off = cartridge.onStored((entries) => {
      said += entries.filter((e) => e.type === 'pulse.healthy').length;
    });
    const run = pulse.beatInTurns();
    for (let i = 0; i < 100_000 && said === 0; i++) await new Promise<void>((r) => setImmediate(r));
    off();
    assert.equal(said, PART_CHANGES, 'stopped after the first commit of changes');
    pulse.stop();
    await assert.rejects(run, StepsCancelled);
    const stopped = own()
      .filter((e) => e.type === 'pulse.beat')
      .at(-1) as EventEntry;
    assert.notEqual(stopped.id, first.id, 'the beat was stored before its changes were said');
    cartridge.close();

    open();
    assert.equal(pulse.latest?.id, stopped.id);
    now += 15 * MIN;
    const next = pulse.beat();
    assert.deepEqual(
      next.judgement.transitions.filter((t) => t.check === 'node.min-heap'),
      [],
      'nothing new to judge: the judge stands past the stopped beat',
    );
    const healthy = saidBySubject('healthy');
    assert.equal(healthy.size, NODES, 'every node’s recovery was said');
    assert.ok(
      [...healthy.values()].every((n) => n === 1),
      'and said once',
    );
    assert.ok([...saidBySubject('critical').values()].every((n) => n === 1));
    const late = own().filter((e) => e.type === 'pulse.healthy' && ((e.data as ValueMap).causes as string[])[0] === next.id);
    assert.equal(late.length, NODES - PART_CHANGES, 'the rest said with the next beat, citing it');
    const nextWhole = readWholeBeat(cartridge, hubKey.id, own().find((e) => e.id === next.id)?.data as ValueMap) as ValueMap;
    assert.equal((nextWhole.changes as ValueMap[]).length, NODES - PART_CHANGES, 'in the parts of the beat that says them');
  });
});
