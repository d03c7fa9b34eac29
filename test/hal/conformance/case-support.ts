/**
 * What every conformance case uses: plain checks (the cases run inside XS
 * too, so no node:assert) and the shape of a case.
 */
import type { HalBackend } from '../../../hal/contracts/io.js';
import type { Clock } from '../../../hal/contracts/time.js';

/** What a case runs against: a backend, its clock, and the back doors of the simulated world. */
export interface ConformanceWorld {
  backend: HalBackend;
  clock: Clock;
  /** A register-file device is at REG_DEVICE on the default bus; nothing at EMPTY_ADDRESS. */
  nackNext(address: number, n: number): void;
  setBusStuck(stuck: boolean): void;
  unplug(address: number): void;
  replug(address: number): void;
  /** The outside level on an input pin. */
  setLevel(pin: number, level: 0 | 1 | null): void;
  /** The level the board drives on an output pin, as the outside sees it. */
  driven(pin: number): 0 | 1 | null;
}

export const REG_DEVICE = 0x50;
export const EMPTY_ADDRESS = 0x3c;
/** Pins the cases use: valid on esp32-devkitc, the board the suite runs on. */
export const PINS = { out: 4, in: 27, inputOnly: 34, flash: 6, strapping: 0 } as const;

/**
 * A case runs synchronously; one that needs real time to pass (a datagram in
 * flight on the host's network) is a generator that yields, and the runner
 * lets STEP_MS pass before resuming it: a timer on Node, a host call the
 * host answers later inside XS. Every case bounds its own yields.
 */
export type ConformanceCase = (w: ConformanceWorld) => void | Generator<void, void, void>;

/** Real milliseconds the runner lets pass per yield. */
export const STEP_MS = 5;

export function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

export function throwsCode(f: () => unknown, test: (e: { name?: string; code?: string; message?: string }) => boolean, what: string): void {
  try {
    f();
  } catch (e) {
    const err = e as { name?: string; code?: string; message?: string };
    if (test(err)) return;
    throw new Error(`${what}: wrong error ${err.name} ${err.code ?? ''} ${err.message}`);
  }
  throw new Error(`${what}: did not throw`);
}

export const code = (c: string) => (e: { code?: string }) => e.code === c;

/** The error is `name` (TypeError, RangeError) and its message names `option`. */
export const naming = (name: string, option: string) => (e: { name?: string; message?: string }) =>
  e.name === name && new RegExp(`\\b${option}\\b`).test(e.message ?? '');
