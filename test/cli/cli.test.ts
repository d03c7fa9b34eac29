import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { batchVectors, cborVectors, eventVectors } from '../helpers/vectors.js';
import { authFrom } from '../hub/helpers.js';
import { runFazt } from '../helpers/child-process.js';

const bin = new URL('../../bin/fazt.js', import.meta.url).pathname;
/** Runs the built CLI (npm test builds dist/ first) as a user would. */
const fazt = (args: string[], input?: string) => runFazt(args, { input });
const tmp = mkdtempSync(join(tmpdir(), 'fazt-cli-'));

describe('fazt CLI', () => {
  it('answers --help at every level', () => {
    for (const args of [
      ['--help'],
      ['firmware', '--help'],
      ['firmware', 'build', '--help'],
      ['firmware', 'flash', '--help'],
      ['hub', '--help'],
      ['invite', '--help'],
      ['backup', '--help'],
      ['sim', '--help'],
      ['sim', 'run', '--help'],
      ['i2c', 'scan', '--help'],
      ['boards', '--help'],
      ['keygen', '--help'],
      ['cbor', '--help'],
      ['cbor', 'encode', '--help'],
      ['cbor', 'decode', '--help'],
      ['event', '--help'],
      ['event', 'verify', '--help'],
      ['start', '--help'],
    ]) {
      const r = fazt(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.out, /^Usage: fazt/, args.join(' '));
    }
  });
  it('lists boards as a table and as JSON', () => {
    assert.match(fazt(['boards']).out, /rpi-5\s+Raspberry Pi 5/);
    assert.equal((JSON.parse(fazt(['boards', '--json']).out) as unknown[]).length, 6);
  });
  it("shows one board's pins", () => {
    const r = fazt(['boards', 'rpi-4b']);
    assert.equal(r.code, 0);
    assert.match(r.out, /mcconfig|runtime node/);
    assert.match(r.out, /\n17\s+GPIO17/);
    assert.equal(JSON.parse(fazt(['boards', 'rpi-4b', '--json']).out).id, 'rpi-4b');
  });
  it('--can lists usable pins and says why each other pin is excluded', () => {
    const j = JSON.parse(fazt(['boards', 'esp32-devkitc', '--can', 'digital-out', '--json']).out) as {
      usable: number[];
      excluded: { gpio: number; reason: string }[];
    };
    assert.ok(j.usable.includes(4) && !j.usable.includes(34));
    assert.match(j.excluded.find((e) => e.gpio === 34)?.reason ?? '', /input-only/);
    assert.match(j.excluded.find((e) => e.gpio === 6)?.reason ?? '', /flash/);
    assert.match(j.excluded.find((e) => e.gpio === 0)?.reason ?? '', /strapping/);
    const withStrap = JSON.parse(fazt(['boards', 'esp32-devkitc', '--can', 'digital-out', '--allow-strapping', '--json']).out) as { usable: number[] };
    assert.ok(withStrap.usable.includes(0));
    const pi = JSON.parse(fazt(['boards', 'rpi-5', '--can', 'i2c-sda', '--json']).out) as { usable: number[] };
    assert.deepStrictEqual(pi.usable, [2, 4, 6]);
    assert.match(fazt(['boards', 'esp32-devkitc', '--can', 'adc']).out, /pins can do adc/);
  });
  it('keygen writes a 0600 key file and prints the id', () => {
    const file = join(tmp, 'key.json');
    const r = fazt(['keygen', '-o', file]);
    assert.equal(r.code, 0);
    const key = JSON.parse(readFileSync(file, 'utf8')) as { id: string; publicKey: string };
    assert.match(key.id, /^fz[a-z2-7]{24}$/);
    assert.ok(r.out.includes(key.id));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.notEqual(fazt(['keygen', '-o', file]).code, 0, 'does not overwrite a key');
  });
  it('cbor encode/decode round-trip the vectors', () => {
    for (const v of cborVectors.filter((x) => x.json !== null).slice(0, 15)) {
      assert.equal(fazt(['cbor', 'encode'], v.json as string).out.trim(), v.cbor, v.name);
      assert.deepStrictEqual(JSON.parse(fazt(['cbor', 'decode'], v.cbor).out.replace('-0.0', '0')), JSON.parse((v.json as string).replace('-0.0', '0')));
    }
  });
  it('event verify accepts a batch in CBOR hex, binary and JSON, and an event chain', () => {
    writeFileSync(join(tmp, 'b.hex'), batchVectors[0].cbor);
    writeFileSync(join(tmp, 'b.cbor'), Buffer.from(batchVectors[0].cbor, 'hex'));
    writeFileSync(join(tmp, 'b.json'), batchVectors[0].json);
    for (const f of ['b.hex', 'b.cbor', 'b.json']) {
      const r = fazt(['event', 'verify', join(tmp, f)]);
      assert.equal(r.code, 0, `${f}: ${r.err}`);
      assert.match(r.out, /^ok: batch from fz\w+, seq 1\.\.4 \(4 entries\), signature and chain valid/);
    }
    writeFileSync(join(tmp, 'events.jsonl'), eventVectors.map((v) => v.json).join('\n'));
    assert.match(fazt(['event', 'verify', join(tmp, 'events.jsonl')]).out, /^ok: 12 events/);
  });
  it('bad input: one line on stderr, non-zero exit', () => {
    const cases: [string[], string | undefined, RegExp][] = [
      [['cbor', 'encode'], '{"a":', /malformed JSON/],
      [['cbor', 'decode'], 'a2616101616102', /duplicate map key 'a'/],
      [['cbor', 'decode'], '0g', /hex/],
      [['boards', 'nope'], undefined, /no board 'nope'/],
      [['boards', 'esp32-devkitc', '--can', 'fly'], undefined, /unknown use 'fly'/],
      [['boards', '--bogus'], undefined, /bogus/],
      [['frobnicate'], undefined, /unknown command 'frobnicate'/],
      [['event', 'verify', join(tmp, 'missing.cbor')], undefined, /cannot read .*ENOENT/],
    ];
    for (const [args, input, pattern] of cases) {
      const r = fazt(args, input);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.err, pattern, args.join(' '));
      assert.equal(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    }
  });
  it('event verify refuses a tampered batch, naming the reason', () => {
    const bytes = Buffer.from(batchVectors[0].cbor, 'hex');
    const i = bytes.indexOf(Buffer.from('temperature'));
    bytes.write('temperaturf', i);
    writeFileSync(join(tmp, 'bad.cbor'), bytes);
    const r = fazt(['event', 'verify', join(tmp, 'bad.cbor')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^fazt: tampered: entry seq 1 does not match its id/);
  });
  it('sim run writes chained events and reports the speed-up', () => {
    const out = join(tmp, 'events.jsonl');
    const r = fazt(['sim', 'run', 'sim/scenarios/c3-room.json', '--duration', '10m', '-o', out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /simulated 600 s on 1 board\(s\) in [\d.]+ s \(\d+× real time\): \d+ events/);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; seq: number });
    assert.ok(lines.length > 1000);
    assert.deepStrictEqual(
      lines.slice(0, 3).map((e) => e.seq),
      [1, 2, 3],
    );
    assert.ok(lines.some((e) => e.type === 'sensor.reading') && lines.some((e) => e.type === 'sensor.state'));
  });
  it('sim run prints lifecycle lines and refuses a bad scenario by path', () => {
    const r = fazt(['sim', 'run', 'sim/scenarios/c3-room.json', '--duration', '15m', '--states-only']);
    assert.match(r.out, /c3 sht4x state running → degraded \(nack\)/);
    writeFileSync(
      join(tmp, 'bad.json'),
      JSON.stringify({ name: 'x', boards: [{ name: 'a', board: 'esp32-devkitc', devices: [], sensors: [{ name: 's', driver: 'sht4x', intervalMs: 1 }] }] }),
    );
    const bad = fazt(['sim', 'run', join(tmp, 'bad.json')]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /\/boards\/0\/sensors\/0/);
  });
  it("i2c scan lists a simulated board's devices like i2cdetect", () => {
    const r = fazt(['i2c', 'scan', '--scenario', 'sim/scenarios/c3-room.json']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /20: -- -- -- 23/);
    assert.match(r.out, /40: -- -- -- -- 44/);
    assert.deepStrictEqual(
      JSON.parse(fazt(['i2c', 'scan', '--scenario', 'sim/scenarios/three-boards.json', '--board', 'living-room', '--json']).out).found,
      [0x76],
    );
  });
  it('start --runtime node runs the same firmware on Node (the fallback when XS is missing)', () => {
    const r = fazt(['start', '--data', join(tmp, 'start-node'), '--listen', '127.0.0.1:0', '--runtime', 'node', '--duration', '6s', '--quiet']);
    assert.equal(r.code, 0, r.err);
    assert.equal((r.out.match(/firmware running in Node/g) ?? []).length, 3, r.out);
    const m = /stopped: (\d+) events from 3 nodes/.exec(r.out);
    assert.ok(m && Number(m[1]) > 6, r.out);
  });
  it('i2c scan off a Pi says so', () => {
    const r = fazt(['i2c', 'scan']);
    assert.equal(r.code, 2);
    assert.match(r.err, /no Raspberry Pi detected/);
  });
  it('start runs the hub and three XS nodes; the API answers meanwhile; Ctrl-C stops it cleanly', async () => {
    const child = spawn(process.execPath, [bin, 'start', '--data', join(tmp, 'start-data'), '--listen', '127.0.0.1:0'], {
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
      for (let i = 0; i < 600 && !/live readings below/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal((out.match(/firmware running in XS/g) ?? []).length, 3, out);
      const url = /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1] as string;
      let nodes: { name: string; eventCount: number }[] = [];
      for (let i = 0; i < 100 && !(nodes.length === 3 && nodes.every((n) => n.eventCount > 3)); i++) {
        await new Promise((r) => setTimeout(r, 200));
        nodes = (
          (await (await fetch(`${url}/v1/nodes`, { headers: authFrom(join(tmp, 'start-data')) })).json()) as { nodes: { name: string; eventCount: number }[] }
        ).nodes;
      }
      assert.deepStrictEqual(nodes.map((n) => n.name).sort(), ['desk', 'hallway', 'living-room']);
      assert.ok(
        nodes.every((n) => n.eventCount > 3),
        JSON.stringify(nodes),
      );
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, out);
    assert.match(out, /stopped: \d+ events from 3 nodes/);
  });
});
