import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { entryHash } from '../../firmware/event/envelope.js';
import { verifyChain } from '../../firmware/event/verify-chain.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { crypto, tempDir } from './helpers.js';
import { until } from '../helpers/wait.js';
import { killHard } from '../helpers/child-process.js';

const KILLS = 10;
const child = new URL('./fixtures/hub-log-child.ts', import.meta.url).pathname;
const root = new URL('../..', import.meta.url).pathname;

interface Run {
  proc: ChildProcess;
  /** The head it opened with. */
  start: number;
  /** Each acknowledged append: seq → id. */
  acked: Map<number, string>;
}

function startChild(dir: string): Promise<Run> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { proc, start: -1, acked: new Map() };
  let buffered = '';
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => void (err += c.toString()));
  return new Promise((resolve, reject) => {
    proc.stdout?.on('data', (c: Buffer) => {
      buffered += c.toString();
      let nl = buffered.indexOf('\n');
      for (; nl >= 0; nl = buffered.indexOf('\n')) {
        const [a, b] = buffered.slice(0, nl).split(' ');
        buffered = buffered.slice(nl + 1);
        if (a === 'ready') {
          run.start = Number(b);
          resolve(run);
        } else run.acked.set(Number(a), b);
      }
    });
    proc.on('exit', (code, signal) => {
      if (run.start < 0) reject(new Error(`hub log child exited (${code ?? signal}) before it was ready: ${err}`));
    });
  });
}

describe("the hub's own chain under kill -9", () => {
  it(`loses nothing acknowledged across ${KILLS} kills between append and return; seq continues from the stored head`, { timeout: 120_000 }, async (t) => {
    const tmp = tempDir('fazt-hublog-crash-');
    const acked = new Map<number, string>();
    const starts: number[] = [];
    let hubId = '';
    try {
      for (let cycle = 0; cycle < KILLS; cycle++) {
        const before = Math.max(0, ...acked.keys());
        const run = await startChild(tmp.dir);
        starts.push(run.start);
        assert.ok(run.start >= before, `cycle ${cycle}: opened at seq ${run.start}, below the acknowledged ${before}`);
        // Appends were made (bounded only to catch a child that appends nothing), then a kill at a random moment.
        await until(() => run.acked.size >= 5, `cycle ${cycle}: five acknowledged appends`, 20_000);
        await new Promise((r) => setTimeout(r, Math.random() * 40));
        await killHard(run.proc);
        assert.equal(Math.min(...run.acked.keys()), run.start + 1, `cycle ${cycle}: seq continues from the stored head`);
        for (const [seq, id] of run.acked) {
          assert.ok(!acked.has(seq) || acked.get(seq) === id, `seq ${seq} acknowledged twice with different ids`);
          acked.set(seq, id);
        }
      }
      const c = Cartridge.open(join(tmp.dir, 'fazt.db'));
      try {
        assert.equal(c.db.pragma('integrity_check', { simple: true }), 'ok');
        const [hub] = c.nodes('hub');
        hubId = hub.id;
        const chain = [...c.chain(hubId)];
        assert.equal(chain.length, hub.headSeq, 'seqs 1..head, each once');
        assert.equal(verifyChain(hubId, chain, crypto).fresh.length, chain.length, 'the chain verifies from seq 1');
        assert.deepStrictEqual(c.head(hubId)?.hash, entryHash(chain[chain.length - 1], crypto));
        for (const [seq, id] of acked) assert.equal(chain[seq - 1]?.id, id, `acknowledged seq ${seq} is stored as acknowledged`);
        t.diagnostic(`${KILLS} kills; ${acked.size} acknowledged of ${chain.length} stored; starts ${starts.join(', ')}`);
      } finally {
        c.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
});
