/**
 * Runs inside one host of bench/beacon's LAN: the firmware's own SSDP endpoint
 * (firmware/beacon/ssdp-endpoint.ts) inside the real XS engine, its UDP
 * bridged to this process's sockets, searching `runs` times for `expect`
 * hubs (every answer verified in XS with noble's Ed25519). XS time is paced
 * to the wall clock in 2 ms steps, so figures carry that resolution.
 * Prints one JSON line: {xs: ms[]}.
 *
 *   node --import tsx bench/beacon-xs-runner.ts <expect> <runs>
 */
import { getBoard } from '../host/boards/board-registry.js';
import { SimBoard } from '../sim/world/sim-board.js';
import { VirtualClock } from '../sim/world/virtual-clock.js';
import { bridgeHost, jsonHostCall } from '../sim/xs/bridge-host.js';
import { XsSession } from '../sim/xs/xs-session.js';

const expect = Number(process.argv[2]);
const runs = Number(process.argv[3]);
const TIMEOUT_MS = 5000;
const entry = new URL('../test/xs/entries/beacon-entry.ts', import.meta.url).pathname;

const clock = new VirtualClock(Date.now());
const board = new SimBoard('bench-node', getBoard('esp32-c3-devkitm-1'), clock);
const host = bridgeHost(board.backend, clock);
const xs = await XsSession.start(entry, { onHostCall: jsonHostCall(host.serve) });
const times: number[] = [];
try {
  await xs.call('init', clock.now(), '239.255.255.250', 1900, null, null);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await xs.call('search', TIMEOUT_MS, expect);
    for (;;) {
      const { value } = await xs.call<{ found: unknown[] | null }>('run', Date.now());
      if (value.found) {
        if (value.found.length < expect) throw new Error(`run ${i}: ${value.found.length}/${expect} hubs found from XS in ${TIMEOUT_MS} ms`);
        times.push(performance.now() - t0);
        break;
      }
      await new Promise((ok) => setTimeout(ok, 2));
    }
  }
} finally {
  await xs.call('stop').catch(() => undefined);
  await xs.close();
}
process.stdout.write(JSON.stringify({ xs: times }) + '\n');
