import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { Hub } from '../../host/hub/hub.js';
import { FIGURES_TYPE, PART_CHANGES } from '../../host/pulse/beat-events.js';
import type { PulseAnswer } from '../../host/pulse/pulse-service.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { killHard, spawnScript } from '../helpers/child-process.js';
import { crypto, tempDir } from '../hub/helpers.js';
import { enrolPulseNodes } from '../pulse/pulse-nodes.js';

const T0 = Date.UTC(2026, 6, 2, 8);
const MIN = 60_000;
const NODES = 210;
const script = new URL('./fixtures/pulse-beat-child.ts', import.meta.url).pathname;

/** A started hub on `dir` whose clock reads `now()`, Pulse beating only when asked. */
async function openHub(dir: string, now: () => number): Promise<Hub> {
  const hub = new Hub({ dataDir: dir, host: '127.0.0.1', port: 0, clock: now, pulse: { everyMs: 0 }, log: () => undefined });
  await hub.start();
  return hub;
}

/** The child beats at `now` on `dir`, holds at `stage`, says `holding <stage name>`, and is killed with SIGKILL there. */
async function killBeatAt(dir: string, stage: string, now: number, what: string): Promise<void> {
  const child = spawnScript(script, [dir], { FAZT_CRASH_AT: stage, FAZT_TEST_NOW: String(now) });
  try {
    await child.line(new RegExp(`holding ${stage.split(':')[0]}`), what);
  } finally {
    await killHard(child.proc);
  }
  assert.equal(child.proc.signalCode, 'SIGKILL');
}

/**
 * A beat stores its figures and its changes in parts, each its own commit,
 * then the pulse.beat citing them, then says its changes a commit of up to
 * PART_CHANGES at a time. A hub killed with SIGKILL between two parts
 * leaves parts no beat cites: the restarted hub reads beats only, so it
 * stands at the beat before (its metrics exactly, its statuses), announces
 * nothing twice, and the chain with the orphan parts still verifies. One
 * killed while saying the changes stands at that beat, and its next beat
 * says the rest: each change said once.
 */
describe('a hub killed half-way through a beat', () => {
  it('restarts at the beat before: the same metrics and statuses, nothing announced twice', async (t) => {
    const tmp = tempDir('fazt-crash-pulse-');
    t.after(tmp.cleanup);
    let now = T0;
    const open = () => openHub(tmp.dir, () => now);
    let hub = await open();
    const node0 = enrolPulseNodes(hub, NODES, now)[0].id;
    now += MIN;
    const first: PulseAnswer = JSON.parse(JSON.stringify(hub.pulse?.beat()));
    const own = () => [...hub.cartridge.chain(hub.hubLog.id)];
    const degraded = (chain: EventEntry[]) =>
      chain.filter((e) => e.type === 'pulse.degraded' && (e.data as ValueMap).check === 'node.sensors' && (e.data as ValueMap).subject === node0);
    assert.equal(degraded(own()).length, 1, 'the first beat announced the unplugged sensor');
    const head = hub.hubLog.seq;
    await hub.stop();

    now += 15 * MIN;
    await killBeatAt(tmp.dir, 'pulse-parts:2', now, 'the child to store two parts of its beat');

    hub = await open();
    const after = own().filter((e) => e.seq > head);
    assert.deepEqual(
      after.map((e) => e.type),
      [FIGURES_TYPE, FIGURES_TYPE],
      'the killed beat left two parts and no beat',
    );
    assert.equal(hub.pulse?.latest?.id, first.id, 'the latest beat is the one before the kill');
    assert.deepEqual(hub.pulse?.latest?.metrics, first.metrics);
    assert.deepEqual(
      hub.pulse?.latest?.judgement.verdicts.map((v) => [v.check, v.subject, v.status, v.since]),
      first.judgement.verdicts.map((v) => [v.check, v.subject, v.status, v.since]),
    );
    assert.ok(verifyStoredChains(hub.cartridge, crypto).length > NODES, 'every chain verifies, the parts no beat cites too');

    now += 15 * MIN;
    const next = hub.pulse?.beat() as PulseAnswer;
    const stored = own().find((e) => e.id === next.id);
    assert.equal((stored?.data as ValueMap | undefined)?.previous, first.id, 'the next beat follows the one before the kill');
    assert.equal(degraded(own()).length, 1, 'nothing announced twice');
    assert.deepEqual(
      next.judgement.transitions.filter((x) => x.check === 'node.sensors'),
      [],
    );
    await hub.stop();
  });

  it('killed while saying its changes: the beat stands, and the next beat says the rest, each change said once', async (t) => {
    const tmp = tempDir('fazt-crash-pulse-changes-');
    t.after(tmp.cleanup);
    let now = T0;
    const open = () => openHub(tmp.dir, () => now);
    let hub = await open();
    const nodes = enrolPulseNodes(hub, NODES, now);
    now += MIN;
    hub.pulse?.beat();
    // Every other node's sensor unplugged too: the next beat has more changes than one commit says.
    now += MIN;
    for (const n of nodes.slice(1)) n.record('sensor.state', 'bme280', { from: 'running', to: 'unplugged', reason: 'no ack at 0x76' }, now);
    for (const r of hub.cartridge.ingestMany(nodes.slice(1).map((n) => n.batch(n.entries.length, n.entries.length)))) if (r instanceof Error) throw r;
    const own = () => [...hub.cartridge.chain(hub.hubLog.id)];
    const head = hub.hubLog.seq;
    await hub.stop();

    now += 15 * MIN;
    await killBeatAt(tmp.dir, 'pulse-changes:1', now, 'the child to say the first of its changes');

    hub = await open();
    const killed = own().filter((e) => e.seq > head);
    const beat = killed.find((e) => e.type === 'pulse.beat') as EventEntry;
    assert.ok(beat, 'the killed beat was stored');
    const said = () => own().filter((e) => e.type === 'pulse.degraded' && (e.data as ValueMap).check === 'node.sensors');
    assert.equal(killed.filter((e) => e.type === 'pulse.degraded').length, PART_CHANGES, 'it said one commit of its changes before the kill');
    assert.equal(hub.pulse?.latest?.id, beat.id, 'the restarted hub stands at the killed beat');
    assert.ok(verifyStoredChains(hub.cartridge, crypto).length > NODES, 'every chain verifies');

    now += 15 * MIN;
    const next = hub.pulse?.beat() as PulseAnswer;
    assert.deepEqual(
      next.judgement.transitions.filter((x) => x.check === 'node.sensors'),
      [],
    );
    const bySubject = new Map<string, number>();
    for (const e of said()) bySubject.set((e.data as ValueMap).subject as string, (bySubject.get((e.data as ValueMap).subject as string) ?? 0) + 1);
    assert.equal(bySubject.size, NODES, 'every unplugged sensor was said');
    assert.ok(
      [...bySubject.values()].every((n) => n === 1),
      'each once',
    );
    await hub.stop();
  });
});
