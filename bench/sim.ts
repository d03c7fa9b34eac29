/**
 * bench/sim: how much faster than real time the simulator runs a 24 h
 * scenario of 3 boards sampling every second (sim/scenarios/three-boards.json;
 * goal ≥ 1000×), beside two baselines from the same run:
 *  - the same scenario without the hash-chained event log (what the event core costs)
 *  - bare register transfers to the same models, no drivers or runners (the floor)
 */
import { loadScenario } from '../sim/scenario/load-scenario.js';
import { ScenarioRun } from '../sim/scenario/scenario-run.js';
import { parseDuration } from '../host/duration.js';

const file = new URL('../sim/scenarios/three-boards.json', import.meta.url).pathname;
const scenario = loadScenario(file);
const duration = parseDuration(scenario.duration ?? '24h');

function timed(chain: boolean): { wallMs: number; events: number; transfers: number } {
  const t0 = process.hrtime.bigint();
  const sim = new ScenarioRun(scenario, { chain });
  sim.runFor(duration);
  sim.stop();
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const transfers = sim.nodes.reduce(
    (a, n) =>
      a +
      [...new Set([...n.devices.values()].map((d) => d.bus).filter(Boolean))].reduce((b, bus) => b + (bus as unknown as { transfers: number }).transfers, 0),
    0,
  );
  return { wallMs, events: sim.nodes.reduce((a, n) => a + n.events, 0), transfers };
}

const full = timed(true);
const bare = timed(false);

// The floor: the same number of bus transfers straight into the models, no driver or runner.
const floorSim = new ScenarioRun(scenario, { chain: false });
floorSim.stop();
const buses = floorSim.nodes.flatMap((n) =>
  [...n.devices.values()].filter((d) => d.model).map((d) => ({ bus: n.board.bus(), address: (d.model as { address: number }).address })),
);
const t0 = process.hrtime.bigint();
for (let i = 0; i < full.transfers; i++) {
  const { bus, address } = buses[i % buses.length];
  try {
    bus.write(address, new Uint8Array(0));
  } catch {
    // a model may NACK a bare probe while converting; the cost is the point
  }
}
const floorMs = Number(process.hrtime.bigint() - t0) / 1e6;

const x = (ms: number) => Math.round(duration / ms);
console.log(`bench/sim: ${scenario.name}, ${scenario.boards.length} boards, ${duration / 3_600_000} h simulated, sampling every second`);
console.log(
  `  full pipeline (drivers, runners, filters, hash-chained events): ${(full.wallMs / 1000).toFixed(2)} s wall → ${x(full.wallMs).toLocaleString('en-US')}× real time; ${full.events.toLocaleString('en-US')} events, ${full.transfers.toLocaleString('en-US')} I2C transfers`,
);
console.log(
  `  baseline without the event chain: ${(bare.wallMs / 1000).toFixed(2)} s → ${x(bare.wallMs).toLocaleString('en-US')}× real time; the chain costs ${(full.wallMs / bare.wallMs).toFixed(2)}× the time`,
);
console.log(
  `  floor, ${full.transfers.toLocaleString('en-US')} bare model transfers: ${(floorMs / 1000).toFixed(2)} s (drivers and runners cost ${(bare.wallMs / floorMs).toFixed(1)}× the raw transfers)`,
);
console.log(`  goal ≥ 1000× real time: ${x(full.wallMs) >= 1000 ? 'met' : 'NOT met'}`);
