import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toJsonValue } from '../../firmware/codec/json-form.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { Hub } from '../../host/hub/hub.js';
import { FIGURES_TYPE, metricsOfBeat, PART_NODES } from '../../host/pulse/beat-events.js';
import type { PulseAnswer, PulseService } from '../../host/pulse/pulse-service.js';
import { StepsCancelled } from '../../host/pulse/steps.js';
import { readWholeBeat, wholeBeat } from '../../host/pulse/stored-beats.js';
import { tempDir, type TestNode } from '../hub/helpers.js';
import { enrolPulseNodes } from './pulse-nodes.js';

/**
 * A beat over many nodes, as the hub's timer runs it (beatInTurns): its
 * work a slice a turn, its record split into system.pulse.figures parts
 * of at most PART_NODES nodes each, then the pulse.beat citing them. On a
 * real hub (SQLite file, the hub's signed chain), beating by hand on a
 * virtual clock.
 */
const T0 = Date.UTC(2026, 6, 1, 8);
const MIN = 60_000;
const NODES = 240;
/** No stored event's data may be larger than this (JSON); all the nodes' figures together are. */
const MOST_BYTES = 96 * 1024;

let now = T0;
const tmp = tempDir('fazt-beat-turns-');
const open = async (): Promise<Hub> => {
  const hub = new Hub({ dataDir: tmp.dir, host: '127.0.0.1', port: 0, clock: () => now, pulse: { everyMs: 0 }, log: () => undefined });
  await hub.start();
  return hub;
};
let hub: Hub;
const pulse = (): PulseService => hub.pulse as PulseService;
const own = (): EventEntry[] => [...hub.cartridge.chain(hub.hubLog.id)];
const bytes = (e: EventEntry) => JSON.stringify(toJsonValue(e.data)).length;
const announced = (check: string, subject: string) =>
  own().filter(
    (e) => e.type.startsWith('pulse.') && e.type !== 'pulse.beat' && (e.data as ValueMap).check === check && (e.data as ValueMap).subject === subject,
  );

/**
 * The changes a beat judged on nodes. The hub's own event-loop figure comes from a histogram a started
 * process fills in real time, so a beat right after a restart may not have it yet: left out here.
 */
const nodeChanges = (a: PulseAnswer) => a.judgement.transitions.filter((t) => t.subject !== 'hub');

/** What happened, in order, while `run` ran: each hub event stored ('part' or 'beat') and each turn of a setImmediate ticker. */
async function order(run: () => unknown): Promise<string[]> {
  const seen: string[] = [];
  const off = hub.cartridge.onStored((entries) => {
    for (const e of entries) if (e.type === FIGURES_TYPE || e.type === 'pulse.beat') seen.push(e.type === FIGURES_TYPE ? 'part' : 'beat');
  });
  let on = true;
  const tick = () => {
    seen.push('tick');
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  try {
    await run();
  } finally {
    on = false;
    off();
  }
  return seen;
}

let inTurns: PulseAnswer;
let nodes: TestNode[];
let nodeZero: string;

/** A reading from every node, stored now: live figures again after a restart (the clock offsets come from batches as they arrive). */
function report(): void {
  const batches = nodes.map((n) => {
    n.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 21, quality: 'good', time: now }, now);
    return n.batch(n.entries.length, n.entries.length);
  });
  for (const r of hub.cartridge.ingestMany(batches)) if (r instanceof Error) throw r;
}

before(async () => {
  hub = await open();
  nodes = enrolPulseNodes(hub, NODES, now);
  nodeZero = nodes[0].id;
  now += MIN;
});
after(async () => {
  await hub.stop();
  tmp.cleanup();
});

describe('a beat in turns', () => {
  it('stores its parts in commits of their own with other callbacks run between them, then the beat; in one turn, nothing runs between', async () => {
    let answer: PulseAnswer | undefined;
    const seen = await order(async () => {
      answer = await pulse().beatInTurns();
    });
    inTurns = answer as PulseAnswer;
    const parts = Math.ceil(NODES / PART_NODES);
    const stored = seen.filter((s) => s !== 'tick');
    assert.deepEqual(stored, [...Array(parts).fill('part'), 'beat']);
    const first = seen.indexOf('part');
    const beat = seen.indexOf('beat');
    const between = seen.slice(first, beat).filter((s) => s === 'tick').length;
    assert.ok(between >= parts, `the ticker ran ${between} times between the first part and the beat`);
    assert.ok(seen.slice(0, first).filter((s) => s === 'tick').length >= (2 * NODES) / 50, 'and between the slices collecting and judging the nodes');

    now += 15 * MIN;
    const one = await order(() => pulse().beat());
    const i = one.indexOf('part');
    assert.deepEqual(one.slice(i, one.indexOf('beat') + 1), [...Array(parts).fill('part'), 'beat'], 'beat(): no turn between its parts');
  });

  it('no stored event is larger than the bound, though the nodes’ figures together are; the beat cites its parts in order', () => {
    const chain = own();
    const beats = chain.filter((e) => e.type === 'pulse.beat');
    assert.equal(beats.length, 2);
    for (const e of chain) assert.ok(bytes(e) < MOST_BYTES, `${e.type} ${e.id}: ${bytes(e)} bytes`);
    const [beat] = beats;
    const cited = (beat.data as ValueMap).parts as string[];
    const parts = chain.filter((e) => cited.includes(e.id));
    assert.deepEqual(
      parts.map((p) => p.id),
      cited,
      'every cited part is on the chain, in the order cited',
    );
    assert.ok(
      parts.every((p) => Object.keys((p.data as ValueMap).nodes as ValueMap).length <= PART_NODES),
      'each part carries at most PART_NODES nodes',
    );
    assert.ok(parts.reduce((sum, p) => sum + bytes(p), 0) > MOST_BYTES, 'in one event the figures would be above the bound');
    assert.equal((beat.data as ValueMap).nodes, undefined, 'the beat carries no node figures itself');
  });

  it('a stored beat reads back whole: the metrics it judged and every unknown check, as one event used to hold them', () => {
    const beat = own().find((e) => e.id === inTurns.id) as EventEntry;
    const whole = readWholeBeat(hub.cartridge, hub.hubLog.id, beat.data as ValueMap) as ValueMap;
    assert.deepEqual(metricsOfBeat(whole), JSON.parse(JSON.stringify(inTurns.metrics)));
    const unknown = inTurns.judgement.verdicts
      .filter((v) => v.status === 'unknown')
      .map((v) => ({ check: v.check, subject: v.subject, name: v.name, title: v.title }));
    assert.ok(unknown.length > NODES, 'every node has a check that knows nothing (no clock offset)');
    assert.deepEqual(whole.unknown, unknown);
    const issues = inTurns.judgement.verdicts.filter((v) => v.status === 'degraded' || v.status === 'critical');
    assert.ok(
      issues.some((v) => v.subject === nodeZero),
      'the unplugged sensor is an issue',
    );
    assert.deepEqual(whole.issues, JSON.parse(JSON.stringify(issues.map(({ learnMore: _, ...v }) => v))));
    assert.equal(wholeBeat(beat.data as ValueMap, new Map()), undefined, 'without its parts a beat is not read at all');
  });

  it('a beat in progress is answered, not started twice; beat() refuses meanwhile', async () => {
    now += 15 * MIN;
    const a = pulse().beatInTurns();
    assert.equal(pulse().beatInTurns(), a);
    assert.throws(() => pulse().beat(), /a beat is in progress/);
    const beat = await a;
    assert.equal(
      own()
        .filter((e) => e.type === 'pulse.beat')
        .at(-1)?.id,
      beat.id,
    );
    assert.equal(announced('node.sensors', nodeZero).length, 1, 'the unplugged sensor was announced once, by the first beat');
  });

  it('old beats, every node inline in one event, still replay: a restarted hub carries on from them, announcing nothing twice', async () => {
    // A beat as stored before parts: the latest beat whole, at a later time, appended as it was then.
    const latest = own()
      .filter((e) => e.type === 'pulse.beat')
      .at(-1) as EventEntry;
    now += 15 * MIN;
    const old = { ...(readWholeBeat(hub.cartridge, hub.hubLog.id, latest.data as ValueMap) as ValueMap), at: now, previous: latest.id };
    const [stored] = hub.hubLog.appendMany([{ type: 'pulse.beat', component: 'pulse', data: old, time: now }]);
    await hub.stop();
    hub = await open();
    assert.equal(pulse().latest?.id, stored.id);
    assert.deepEqual(pulse().latest?.metrics, metricsOfBeat(old));
    now += 15 * MIN;
    report();
    const next = pulse().beat();
    assert.equal(next.judgement.status, 'degraded');
    assert.deepEqual(nodeChanges(next), [], 'the restarted hub stands where the old beat left it');
    assert.equal(announced('node.sensors', nodeZero).length, 1);
  });

  it('stop() cancels a beat between its turns: no beat is stored, and the hub restarted stands at the beat before', async () => {
    const before = own()
      .filter((e) => e.type === 'pulse.beat')
      .at(-1) as EventEntry;
    now += 15 * MIN;
    let parts = 0;
    const off = hub.cartridge.onStored((entries) => {
      parts += entries.filter((e) => e.type === FIGURES_TYPE).length;
    });
    const run = pulse().beatInTurns();
    for (let i = 0; i < 10_000 && parts === 0; i++) await new Promise<void>((r) => setImmediate(r));
    off();
    assert.equal(parts, 1, 'stopped after its first part');
    pulse().stop();
    await assert.rejects(run, StepsCancelled);
    assert.equal(
      own()
        .filter((e) => e.type === 'pulse.beat')
        .at(-1)?.id,
      before.id,
    );
    await hub.stop();
    hub = await open();
    assert.equal(pulse().latest?.id, before.id);
    now += 15 * MIN;
    report();
    assert.deepEqual(nodeChanges(pulse().beat()), []);
    assert.equal(announced('node.sensors', nodeZero).length, 1);
  });
});
