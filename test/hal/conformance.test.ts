import { after, before, describe, it } from 'node:test';
import { bridgeHost, jsonHostCall } from '../../sim/xs/bridge-host.js';
import { XsSession } from '../../sim/xs/xs-session.js';
import { cases, type ConformanceWorld } from './conformance/cases.js';
import { simWorld } from './conformance/sim-world.js';

/**
 * One suite, every backend this machine reaches: sim on Node; the Moddable
 * adapter over ECMA-419 classes that behave like Moddable's (no ESP32 here);
 * and sim bridged into the real XS engine. The Linux backend has its own tests
 * (test/hal/linux-backend.test.ts): this machine has no GPIO or I2C devices.
 */
describe('HAL conformance: sim backend on Node', () => {
  for (const [name, run] of Object.entries(cases)) it(name, () => run(simWorld().world));
});

describe('HAL conformance: Moddable backend over ECMA-419 classes (simulated)', () => {
  for (const [name, run] of Object.entries(cases)) it(name, () => run(simWorld('moddable').world));
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
      const { world, board, clock } = simWorld();
      const host = bridgeHost(board.backend, clock);
      const w: ConformanceWorld = world;
      host.backdoor.set('nackNext', (a, n) => w.nackNext(a as number, n as number));
      host.backdoor.set('setBusStuck', (s) => w.setBusStuck(s as boolean));
      host.backdoor.set('unplug', (a) => w.unplug(a as number));
      host.backdoor.set('replug', (a) => w.replug(a as number));
      host.backdoor.set('setLevel', (p, l) => w.setLevel(p as number, l as 0 | 1 | null));
      host.backdoor.set('driven', (p) => w.driven(p as number));
      serve = jsonHostCall(host.serve);
      await xs.call('run', name);
    });
  }
});
