import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { authFrom } from '../hub/helpers.js';

/**
 * The loop in `npm start`, as a user runs it: the built CLI in a child
 * process (a fresh data folder, port 0, firmware in XS). The demo runs in
 * real time (the nodes' clocks follow the wall clock), so "within 60 s" is
 * 60 s of wall time from the spawn: hallway motion → the default rule fires →
 * the command rides the desk's downlink → the desk's LED pulses and the
 * desk's signed effect.applied is stored at the hub, settling the command.
 */
const bin = new URL('../../bin/fazt.js', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'fazt-start-loop-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

type Entry = { id: string; type: string; source: string; data: Record<string, unknown> };
const data = join(tmp, 'data');
const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url, { headers: authFrom(data) })).json()) as T;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('npm start closes the loop', () => {
  it('within 60 s of start a desk-signed effect.applied for the LED is stored, caused by hallway motion through the default rule', async () => {
    const started = Date.now();
    const deadline = started + 60_000;
    const child = spawn(process.execPath, [bin, 'start', '--data', join(tmp, 'data'), '--listen', '127.0.0.1:0'], {
      cwd: new URL('../..', import.meta.url).pathname,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      let url: string | undefined;
      while (!url && Date.now() < deadline && child.exitCode === null) {
        url = /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1];
        if (!url) await sleep(100);
      }
      assert.ok(url, `the hub never listened:\n${out}`);
      type Command = { id: string; node: string; action: Record<string, unknown>; cause: string | null; state: string; result: string | null };
      let applied: Command | undefined;
      while (!applied && Date.now() < deadline) {
        const list = await fetch(`${url}/v1/effects?node=desk&state=applied`, { headers: authFrom(data) });
        if (list.status === 200) applied = ((await list.json()) as { effects: Command[] }).effects[0];
        if (!applied) await sleep(250);
      }
      const took = Date.now() - started;
      assert.ok(applied, `no applied effect for the desk within 60 s:\n${out}`);
      assert.ok(took <= 60_000, `took ${took} ms`);
      assert.deepEqual(applied.action, { output: 'led', op: 'pulse', ms: 30000 });

      // The evidence: the desk's own signed event, stored in the desk's chain.
      const desk = (await getJson<{ nodes: { id: string; name: string }[] }>(`${url}/v1/nodes`)).nodes.find((n) => n.name === 'desk');
      const evidence = (await getJson<{ events: Entry[] }>(`${url}/v1/events?node=desk&type=effect.applied`)).events.find((e) => e.id === applied.result);
      assert.ok(desk && evidence, 'the command is settled by an event stored in the desk chain');
      assert.equal(evidence.source, `${desk.id}/led`);
      assert.deepEqual(evidence.data, { command: applied.id, seq: evidence.data.seq, output: 'led', op: 'pulse', ms: 30000, value: true });

      // The cause: the hub's effect.requested from the default rule, citing the hallway PIR's motion-start.
      const hubId = /hub (fz[a-z2-7]+) listening/.exec(out)?.[1] as string;
      const requested = (await getJson<{ events: Entry[] }>(`${url}/v1/events?node=${hubId}&type=effect.requested`)).events.find((e) => e.id === applied.cause);
      assert.ok(requested, 'the command names the request that queued it');
      assert.equal(requested.data.rule, 'desk-led-on-hallway-motion');
      const motion = (await getJson<{ events: Entry[] }>(`${url}/v1/events?node=hallway&type=sensor.event`)).events.filter((e) =>
        (requested.data.causes as string[]).includes(e.id),
      );
      assert.deepEqual(
        motion.map((e) => e.data.type),
        ['motion-start'],
      );

      // The terminal showed the firing and the applied effect as they happened.
      for (let i = 0; i < 20 && !/desk +effect applied: led pulse 30 s, read back on/.test(out); i++) await sleep(100);
      assert.match(out, /hub +rule desk-led-on-hallway-motion fired on motion: 1 action/);
      assert.match(out, /desk +effect applied: led pulse 30 s, read back on/);

      // Pulse beats every 30 s in the demo: `fazt pulse` (the built CLI, asking this hub) says healthy and names the nodes.
      const beatBy = started + 50_000;
      let beat: { at: number | null } = { at: null };
      while (beat.at === null && Date.now() < beatBy) {
        beat = await getJson<{ at: number | null }>(`${url}/v1/pulse`);
        if (beat.at === null) await sleep(250);
      }
      assert.notEqual(beat.at, null, `no beat within 50 s of start:\n${out}`);
      const said = await new Promise<string>((done, fail) => {
        // Its token from the demo's folder, as FAZT_TOKEN (pulse's --data reads the cartridge instead of asking the hub).
        const p = spawn(process.execPath, [bin, 'pulse', '--hub', url as string], {
          env: { ...process.env, FAZT_TOKEN: authFrom(data).authorization.slice('Bearer '.length) },
        });
        let text = '';
        p.stdout.on('data', (d: Buffer) => (text += d.toString()));
        p.stderr.on('data', (d: Buffer) => (text += d.toString()));
        p.on('error', fail);
        p.on('exit', (code) => (code === 0 ? done(text) : fail(new Error(`fazt pulse exited ${code}: ${text}`))));
      });
      assert.match(said, /^Pulse: healthy \(beat at /);
      assert.match(said, /All three nodes are reporting: desk, hallway and living-room\./);
      assert.match(out, /hub +pulse healthy: 0 critical, 0 degraded/);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, out);
    assert.match(out, /stopped: \d+ events from 3 nodes and the hub/);
  });
});
