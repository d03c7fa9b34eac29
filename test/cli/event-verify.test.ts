import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CompactBatchEncoder } from '../../firmware/batch/batch-encoder.js';
import { cbor, crypto, ownerAuth, post, startHub, TestNode } from '../hub/helpers.js';
import { runFazt } from '../helpers/child-process.js';

const tmp = mkdtempSync(join(tmpdir(), 'fazt-verify-'));

describe("fazt event verify reads the project's own outputs", () => {
  let h: Awaited<ReturnType<typeof startHub>>;
  const a = new TestNode(61);
  const b = new TestNode(62);
  before(async () => {
    h = await startHub();
    h.hub.cartridge.addNode(a.identity.publicKey, { name: 'kitchen', board: 'esp32-devkitc' });
    h.hub.cartridge.addNode(b.identity.publicKey, { name: 'garage', board: 'esp32-c3-devkitm-1' });
    a.append(9);
    b.append(4, 'system.boot', 'core');
    assert.equal((await post(`${h.url}/v1/uplink`, cbor(a.batch(1, 9)))).status, 200);
    assert.equal((await post(`${h.url}/v1/uplink`, cbor(b.batch(1, 4)))).status, 200);
  });
  after(() => h.stop());

  async function save(query: string, name: string): Promise<string> {
    const res = await fetch(`${h.url}/v1/events${query}`, { headers: ownerAuth(h.url) });
    assert.equal(res.status, 200);
    const file = join(tmp, name);
    writeFileSync(file, await res.text());
    return file;
  }

  it('a page of GET /v1/events, as the hub serves it', async () => {
    const one = runFazt(['event', 'verify', await save(`?node=${a.id}`, 'page-a.json')]);
    assert.equal(one.code, 0, one.err);
    assert.equal(one.out, `ok: 9 events from ${a.id}, seq 1..9, ids and chain valid (unsigned: no signature checked)\n`);
    const both = runFazt(['event', 'verify', await save('', 'page.json')]);
    assert.equal(both.code, 0, both.err);
    assert.match(both.out, /^ok: 13 events from 2 nodes, ids and chain valid/);
    assert.ok(both.out.includes(`  ${a.id}, seq 1..9\n`) && both.out.includes(`  ${b.id}, seq 1..4\n`), both.out);
    // newest first, and a later page that starts mid-chain
    assert.equal(runFazt(['event', 'verify', await save(`?node=${a.id}&order=desc`, 'desc.json')]).code, 0);
    const first = JSON.parse(readFileSync(await save(`?node=${a.id}&limit=4`, 'p1.json'), 'utf8')) as { next: string };
    const rest = runFazt(['event', 'verify', await save(`?node=${a.id}&limit=4&cursor=${first.next}`, 'p2.json')]);
    assert.match(rest.out, /^ok: 4 events from fz\w+, seq 5\.\.8/);
  });
  it('a page with an event altered is refused, naming the event', async () => {
    const file = await save(`?node=${a.id}`, 'tampered.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"value":20.3', '"value":20.4'));
    const r = runFazt(['event', 'verify', file]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^fazt: tampered: entry seq 4 does not match its id/);
  });
  it('the JSON lines fazt sim run -o writes, every board, named', () => {
    const file = join(tmp, 'sim.jsonl');
    const run = runFazt(['sim', 'run', 'sim/scenarios/three-boards.json', '--duration', '5m', '-o', file]);
    assert.equal(run.code, 0, run.err);
    const r = runFazt(['event', 'verify', file]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ok: \d+ events from 3 nodes, ids and chain valid/);
    for (const board of ['living-room', 'hallway', 'desk']) assert.match(r.out, new RegExp(`  fz\\w+ \\(${board}\\), seq 1\\.\\.\\d+\\n`));
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    writeFileSync(join(tmp, 'gap.jsonl'), [...lines.slice(0, 3), ...lines.slice(6)].join('\n'));
    const gap = runFazt(['event', 'verify', join(tmp, 'gap.jsonl')]);
    assert.equal(gap.code, 1);
    assert.match(gap.err, /^fazt: gap: seq \d+\.\.\d+ missing/);
  });
  it('a compact batch carrying its dictionary, signature and chain checked; one naming a dictionary by hash cannot be checked alone', () => {
    const encoder = new CompactBatchEncoder(crypto);
    const whole = join(tmp, 'compact.cbor');
    writeFileSync(whole, encoder.encode(a.batch(1, 9)));
    const r = runFazt(['event', 'verify', whole]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `ok: batch from ${a.id}, seq 1..9 (9 entries), signature and chain valid\n`);
    encoder.accepted();
    const named = join(tmp, 'named.cbor');
    writeFileSync(named, encoder.encode(a.batch(1, 9)));
    const n = runFazt(['event', 'verify', named]);
    assert.equal(n.code, 1);
    assert.match(n.err, /^fazt: unknown-dictionary: /);
  });
});
