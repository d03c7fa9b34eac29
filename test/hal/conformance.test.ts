import { after, before, describe, it } from 'node:test';
import { bridgeHost, jsonHostCall } from '../../sim/xs/bridge-host.js';
import { XsSession } from '../../sim/xs/xs-session.js';
import { STEP_MS, type ConformanceCase } from './conformance/case-support.js';
import type { ConformanceWorld } from './conformance/case-support.js';
import { cases } from './conformance/cases.js';
import { simWorld } from './conformance/sim-world.js';

/**
 * One suite, every backend this machine reaches: sim on Node; the Moddable
 * adapter over ECMA-419 classes that behave like Moddable's (no ESP32 here);
 * and sim bridged into the real XS engine. The Linux backend has its own tests
 * (test/hal/linux-backend.test.ts, test/hal/linux-udp.test.ts): this machine
 * has no GPIO or I2C devices. UDP runs for real on every backend, on loopback.
 */
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs a case on Node: a generator case is resumed after STEP_MS per yield. */
async function runOnNode(run: ConformanceCase, backend: 'sim' | 'moddable'): Promise<void> {
  const { world, dispose } = simWorld(backend);
  try {
    const steps = run(world);
    if (steps) for (let s = steps.next(); !s.done; s = steps.next()) await sleep(STEP_MS);
  } finally {
    dispose();
  }
}

describe('HAL conformance: sim backend on Node', () => {
  for (const [name, run] of Object.entries(cases)) it(name, () => runOnNode(run, 'sim'));
});

describe('HAL conformance: Moddable backend over ECMA-419 classes (simulated)', () => {
  for (const [name, run] of Object.entries(cases)) it(name, () => runOnNode(run, 'moddable'));
});

describe('HAL conformance: sim backend bridged into XS', () => {
  let xs: XsSession;
  let serve: (bytes: Uint8Array) => Uint8Array | Promise<Uint8Array> = () => new Uint8Array(0);
  before(async () => {
    xs = await XsSession.start(new URL('../xs/entries/conformance-entry.ts', import.meta.url).pathname, { onHostCall: (b) => serve(b) });
  });
  after(async () => {
    await xs?.close();
  });
  for (const name of Object.keys(cases)) {
    it(name, async () => {
      // A fresh simulated world on the host for each case, as on Node.
      const { world, board, clock, dispose } = simWorld();
      const host = bridgeHost(board.backend, clock);
      const w: ConformanceWorld = world;
      host.backdoor.set('nackNext', (a, n) => w.nackNext(a as number, n as number));
      host.backdoor.set('setBusStuck', (s) => w.setBusStuck(s as boolean));
      host.backdoor.set('unplug', (a) => w.unplug(a as number));
      host.backdoor.set('replug', (a) => w.replug(a as number));
      host.backdoor.set('setLevel', (p, l) => w.setLevel(p as number, l as 0 | 1 | null));
      host.backdoor.set('driven', (p) => w.driven(p as number));
      // A generator case's yield: XS blocks on this call while real time passes here.
      host.backdoor.set('wait', (ms) => sleep(ms as number));
      serve = jsonHostCall(host.serve);
      try {
        await xs.call('run', name);
      } finally {
        dispose();
      }
    });
  }
});
