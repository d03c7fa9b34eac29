import type { JsonValue } from '../../firmware/codec/json-form.js';
import type { SensorConfig } from '../../firmware/sensing/open-sensor.js';
import type { Board, I2cBusDef } from '../../hal/board/board.js';
import { PinClaims } from '../../hal/board/pin-claims.js';
import { pinExclusion, type PinUse } from '../../hal/board/pin-rules.js';
import { DRIVERS } from '../../hal/drivers/registry.js';
import { loadBoards } from '../boards/board-registry.js';
import { nodeConfigFromJson } from '../../firmware/node/node-config.js';
import { checkDocumentOnHost } from '../schema/host-validators.js';
import { checkOtherHubs } from './other-hubs-check.js';

/**
 * The one check of a node configuration, shared by `fazt node init|check`,
 * `fazt firmware build --config` and `fazt sim node --config`: the schema,
 * then what a schema cannot say — the board exists, every driver is known
 * and of the right kind, every pin and bus is one the board can give for
 * that use (the rules the HAL applies when the node opens them, so a node
 * that passes here does not fail at boot on a pin), no pin or I2C address
 * is used twice, the keys are not the examples' placeholders, and the
 * owner's other hubs (otherHubs) are each listed once (other-hubs-check.ts).
 */
export interface NodeConfigProblem {
  /** Where, as people write it: `sensors[1].pin`, `hub.publicKey`. */
  path: string;
  /** schema | board | driver | pin | address | name | example-key */
  kind: string;
  message: string;
  /** A schema problem's JSON Pointer (/sensors/1/pin), as the hub's validators name it. */
  pointer?: string;
}

/** What a pin driver claims its pin for (hal/drivers: inputs read it, digital-output drives it, buzzer is PWM). */
const PIN_USE: Record<string, PinUse> = { pir: 'digital-in', button: 'digital-in', 'digital-output': 'digital-out', buzzer: 'pwm' };

/** A JSON Pointer (/sensors/1/pin) as a path people read (sensors[1].pin). */
function readablePath(pointer: string): string {
  let out = '';
  for (const part of pointer.split('/').slice(1)) {
    const p = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  }
  return out || '(root)';
}

/**
 * The examples (examples/nodes/) carry all-zero keys: obviously not a key,
 * and refused here, so no two nodes ever share an example's identity.
 */
const EXAMPLE_KEY = '0'.repeat(64);
const isExampleKey = (k: JsonValue): boolean => k === EXAMPLE_KEY;

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/** The board's reason as it reads in a node configuration: there is no opt-in for a strapping pin. */
function pinReason(board: Board, gpio: number, use: PinUse): string | null {
  const ex = pinExclusion(board, gpio, use);
  if (!ex) return null;
  if (ex.code === 'strapping-pin') {
    const why = board.pins.find((p) => p.gpio === gpio)?.strapping ?? '';
    return `GPIO ${gpio} is a strapping pin on ${board.id} (${why}): a sensor on it can stop the board from booting; pick another pin`;
  }
  return ex.code === 'unknown-pin' ? ex.reason : `${ex.reason} on ${board.id}`;
}

function checkSensors(board: Board, sensors: SensorConfig[], problems: NodeConfigProblem[]): void {
  const claims = new PinClaims(board);
  const names = new Map<string, number>();
  const addresses = new Map<string, string>();
  const defaultBus = board.i2c.buses.find((b) => b.default) as I2cBusDef;
  sensors.forEach((s, i) => {
    const at = `sensors[${i}]`;
    const add = (path: string, kind: string, message: string) => problems.push({ path: `${at}${path}`, kind, message });
    const twin = names.get(s.name);
    if (twin !== undefined) add('.name', 'name', `'${s.name}' is also the name of sensors[${twin}]`);
    else names.set(s.name, i);
    const entry = DRIVERS[s.driver];
    if (!entry) return add('.driver', 'driver', `no driver '${s.driver}'; known: ${Object.keys(DRIVERS).join(', ')}`);
    if (entry.kind === 'i2c') {
      if (!s.i2c) return add('', 'driver', `${s.driver} is an I2C sensor: give i2c.address, not a pin`);
      const listed = s.i2c.bus === undefined ? undefined : board.i2c.buses.find((b) => b.id === s.i2c?.bus);
      if (s.i2c.bus !== undefined && !listed) return add('.i2c.bus', 'pin', `${board.id} has no I2C bus ${s.i2c.bus}`);
      const bus = listed ?? defaultBus;
      const sda = s.i2c.sda ?? bus.sda;
      const scl = s.i2c.scl ?? bus.scl;
      for (const [role, gpio, use] of [
        ['sda', sda, 'i2c-sda'],
        ['scl', scl, 'i2c-scl'],
      ] as const) {
        const why = pinReason(board, gpio, use);
        if (why) return add(s.i2c[role] === undefined ? '.i2c' : `.i2c.${role}`, 'pin', `${role.toUpperCase()} ${why}`);
      }
      try {
        claims.claimI2c({ sda, scl }, { owner: at });
      } catch (e) {
        return add('.i2c', 'pin', (e as Error).message.replace(`${board.id}: `, ''));
      }
      const key = `${sda}/${scl}#${s.i2c.address}`;
      const first = addresses.get(key);
      if (first) return add('.i2c.address', 'address', `${hex(s.i2c.address)} is already taken by ${first} on the I2C bus SDA ${sda}/SCL ${scl}`);
      addresses.set(key, `sensor '${s.name}'`);
      return;
    }
    if (s.pin === undefined) return add('', 'driver', `${s.driver} works on a GPIO: give pin, not i2c`);
    const use = PIN_USE[s.driver] ?? 'digital-in';
    const why = pinReason(board, s.pin, use);
    if (why) return add('.pin', 'pin', why);
    try {
      claims.claim(s.pin, use, { owner: `sensor '${s.name}'` });
    } catch (e) {
      add('.pin', 'pin', (e as Error).message.replace(`${board.id}: `, ''));
    }
  });
}

/** GPIO numbers as people write a list of them: 0, 2, 4, 12–15. */
function gpioRanges(gpios: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < gpios.length; ) {
    let j = i;
    while (j + 1 < gpios.length && gpios[j + 1] === gpios[j] + 1) j++;
    out.push(j > i + 1 ? `${gpios[i]}–${gpios[j]}` : j === i + 1 ? `${gpios[i]}, ${gpios[j]}` : `${gpios[i]}`);
    i = j + 1;
  }
  return out.join(', ');
}

/** power.wakePin must be a pin the board declares deep-sleep-wake (an RTC GPIO; GPIO 0–5 on an ESP32-C3). */
function checkWakePin(board: Board, wakePin: number | undefined, problems: NodeConfigProblem[]): void {
  if (wakePin === undefined) return;
  const can = board.pins
    .filter((p) => p.caps.includes('deep-sleep-wake'))
    .map((p) => p.gpio)
    .sort((a, b) => a - b);
  if (can.includes(wakePin)) return;
  const which = can.length ? `GPIO ${gpioRanges(can)} can` : 'it declares no pin that can';
  problems.push({ path: 'power.wakePin', kind: 'pin', message: `GPIO ${wakePin} cannot wake ${board.id} from deep sleep (${which})` });
}

/** Every problem of a node configuration's JSON form (none: it is good to build and run). */
export function checkNodeConfig(doc: unknown): NodeConfigProblem[] {
  const err = checkDocumentOnHost('nodeConfig', doc);
  if (err) {
    const path = readablePath(err.path);
    const message = err.message.slice(`nodeConfig: ${err.path || '/'} `.length, -` (${err.rule})`.length);
    return [{ path, kind: 'schema', message, pointer: err.path || '/' }];
  }
  const c = doc as { board: string; secretKey: JsonValue; hub: { publicKey: JsonValue }; sensors: SensorConfig[]; power?: { wakePin?: number } };
  const problems: NodeConfigProblem[] = [];
  if (isExampleKey(c.secretKey))
    problems.push({ path: 'secretKey', kind: 'example-key', message: "an example's placeholder key: run `fazt node init` for a key of this node's own" });
  if (isExampleKey(c.hub.publicKey))
    problems.push({
      path: 'hub.publicKey',
      kind: 'example-key',
      message: "an example's placeholder: your hub's key (`fazt invite --json` prints it as hubKey)",
    });
  problems.push(...checkOtherHubs(nodeConfigFromJson(doc)));
  const board = loadBoards().get(c.board);
  if (!board) {
    problems.push({ path: 'board', kind: 'board', message: `no board '${c.board}'; known: ${[...loadBoards().keys()].join(', ')}` });
    return problems;
  }
  checkSensors(board, c.sensors, problems);
  checkWakePin(board, c.power?.wakePin, problems);
  return problems;
}

/** Problems as lines, each naming its path (and the file when given). */
export function describeProblems(problems: readonly NodeConfigProblem[], file?: string): string {
  return problems.map((p) => `${file ? `${file}: ` : ''}${p.path}: ${p.message}`).join('\n');
}
