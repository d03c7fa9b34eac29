import { IoError } from '../contracts/errors.js';
import { checkFunction, checkInt, checkObject, checkOneOf } from '../contracts/check-options.js';
import type { Digital, DigitalMode, DigitalOptions, Edge } from '../contracts/io.js';
import type { SimPinPort } from './sim-ports.js';

const MODES: readonly DigitalMode[] = ['input', 'input-pullup', 'input-pulldown', 'output', 'output-opendrain'];
const EDGES: readonly Edge[] = ['rising', 'falling', 'both'];

/**
 * A GPIO over the simulator's pins (ECMA-419 embedded:io/digital).
 *
 * Inputs read the outside level; a floating line (nothing drives it) reads
 * the pull: 1 with input-pullup, 0 with input-pulldown, and 0 with plain
 * input. Real hardware reads noise there; the simulator picks 0 so tests
 * are deterministic. Edges of that effective level (so a button releasing a
 * pulled-up line is a rising edge) call onReadable, as `edge` selects.
 *
 * Outputs drive the written level (nothing until the first write; read()
 * gives the last written value, 0 before). An open-drain output drives 0 and
 * releases the line on 1; a released line reads the outside level, or 1
 * when floating (an open-drain line always has a pull-up somewhere).
 */
export class SimDigital implements Digital {
  private readonly pin: number;
  private readonly mode: DigitalMode;
  private readonly edge: Edge | undefined;
  private readonly onReadable: (() => void) | undefined;
  private unwatch: (() => void) | undefined;
  private last: 0 | 1 = 0;
  private written: 0 | 1 = 0;
  private closed = false;

  constructor(
    private readonly port: SimPinPort,
    options: DigitalOptions,
  ) {
    checkObject('options', options);
    this.pin = checkInt('pin', options.pin, 0, 255);
    this.mode = checkOneOf('mode', options.mode, MODES);
    if (options.allowStrapping !== undefined && typeof options.allowStrapping !== 'boolean') throw new TypeError('allowStrapping must be a boolean');
    const input = this.isInput();
    if (options.onReadable !== undefined) {
      checkFunction('onReadable', options.onReadable);
      if (!input) throw new RangeError(`onReadable is only for inputs, not mode ${this.mode}`);
      this.edge = checkOneOf('edge', options.edge, EDGES);
      this.onReadable = options.onReadable;
    } else if (options.edge !== undefined) {
      checkOneOf('edge', options.edge, EDGES);
      throw new TypeError('edge needs onReadable (a function)');
    }
    if (input) {
      this.last = this.inputLevel();
      // Watch every input, so a later edge compares against a fresh level.
      if (this.onReadable) this.unwatch = port.watch(this.pin, () => this.changed());
    }
  }

  read(): 0 | 1 {
    this.open('read');
    if (this.isInput()) return this.inputLevel();
    if (this.mode === 'output-opendrain' && this.written === 1) {
      const outside = this.port.level(this.pin);
      return outside === null ? 1 : outside;
    }
    return this.written;
  }

  write(value: 0 | 1): void {
    this.open('write');
    if (this.isInput()) throw new TypeError(`GPIO ${this.pin} is an input (${this.mode}): write() needs an output mode`);
    this.written = checkInt('value', value, 0, 1) as 0 | 1;
    this.port.drive(this.pin, this.written);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.unwatch) this.unwatch();
    this.unwatch = undefined;
  }

  private isInput(): boolean {
    return this.mode === 'input' || this.mode === 'input-pullup' || this.mode === 'input-pulldown';
  }

  private inputLevel(): 0 | 1 {
    const outside = this.port.level(this.pin);
    if (outside !== null) return outside;
    return this.mode === 'input-pullup' ? 1 : 0;
  }

  private changed(): void {
    if (this.closed) return;
    const now = this.inputLevel();
    if (now === this.last) return; // e.g. a pulled-up line released from 1 to floating
    this.last = now;
    const e = this.edge;
    if (e === 'both' || (e === 'rising' && now === 1) || (e === 'falling' && now === 0)) {
      if (this.onReadable) this.onReadable();
    }
  }

  private open(op: string): void {
    if (this.closed) throw new IoError('closed', `GPIO ${this.pin} ${op} after close`);
  }
}
