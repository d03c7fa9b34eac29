import { readFileSync } from 'node:fs';
import { pinExclusion } from '../../hal/board/pin-rules.js';
import { FaztError } from '../../hal/contracts/errors.js';
import { DRIVERS } from '../../hal/drivers/registry.js';
import { openSensor } from '../../firmware/sensing/open-sensor.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { validateOnHost } from '../../host/schema/host-validators.js';
import { MODELS } from '../models/model-registry.js';
import { SimBoard } from '../world/sim-board.js';
import { VirtualClock } from '../world/virtual-clock.js';
import type { Scenario, ScenarioBoard } from './scenario.js';

/** Reads and validates a scenario file; errors name the file and the JSON path. */
export function loadScenario(file: string): Scenario {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new FaztError('scenario', `${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    validateOnHost('scenario', doc);
  } catch (e) {
    throw new FaztError('scenario', `${file}: ${(e as Error).message}`);
  }
  const scenario = doc as Scenario;
  for (const b of scenario.boards) checkWiring(file, b);
  return scenario;
}

/**
 * Refuses, before anything runs, what would otherwise only fail once the
 * simulation started (a sensor 'failed' and a run that still exits 0): an
 * unknown driver or model, and a pin or bus the board's rules refuse. Each
 * sensor's io is opened on a fresh board through the same pin claims the
 * run uses, then released, so the reasons are the board rules' own words.
 */
function checkWiring(file: string, spec: ScenarioBoard): void {
  const refuse = (what: string, why: string): never => {
    throw new FaztError('scenario', `${file}: board ${spec.name}, ${what}: ${why}`);
  };
  let board: SimBoard;
  try {
    board = new SimBoard(spec.name, getBoard(spec.board), new VirtualClock(0), { udp: null });
  } catch (e) {
    throw new FaztError('scenario', `${file}: board ${spec.name}: ${(e as Error).message}`);
  }
  for (const d of spec.devices) {
    if (!MODELS[d.model]) refuse(`device ${d.name}`, `unknown model '${d.model}'; known: ${Object.keys(MODELS).join(', ')}`);
    // A device model sits on a pin of the board: the pin must exist there (what it may do is the sensor's claim).
    const ex = d.pin === undefined ? null : pinExclusion(board.board, d.pin, 'digital-in', true);
    if (ex?.code === 'unknown-pin') refuse(`device ${d.name}`, ex.reason);
  }
  // Held until every sensor is checked, so two sensors on one pin are refused too.
  const opened: { close(): void }[] = [];
  try {
    for (const s of spec.sensors) {
      const entry = DRIVERS[s.driver];
      if (!entry) refuse(`sensor ${s.name}`, `unknown driver '${s.driver}'; known: ${Object.keys(DRIVERS).join(', ')}`);
      const pins = s.i2c ? `I2C SDA ${s.i2c.sda ?? 'default'}/SCL ${s.i2c.scl ?? 'default'}` : `GPIO ${s.pin}`;
      try {
        // An I2C chip is identified only when the run starts (its model answers then): here its bus is claimed.
        if (entry.kind === 'i2c' && s.i2c) opened.push(board.backend.i2c({ data: s.i2c.sda, clock: s.i2c.scl, address: s.i2c.address }));
        else opened.push(openSensor(s, { backend: board.backend, time: board.clock }));
      } catch (e) {
        refuse(`sensor ${s.name} (driver ${s.driver}) on ${pins}`, (e as Error).message);
      }
    }
  } finally {
    for (const io of opened) io.close();
  }
}
