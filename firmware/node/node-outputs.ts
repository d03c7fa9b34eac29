import { FaztError } from '../../hal/contracts/errors.js';
import type { Sample, SensorDriver } from '../../hal/drivers/sensor-driver.js';
import type { SensorConfig } from '../sensing/open-sensor.js';
import { OUTPUT_DRIVERS, type CommandAction } from '../uplink/command-action.js';

/** An output as the node declares it in its system.boot event (the hub checks commands against it). */
export interface OutputInfo {
  name: string;
  driver: string;
  pin: number;
}

/** The methods of the output drivers a command uses (hal/drivers/digital-output, hal/drivers/buzzer). */
interface OutputDriver {
  set(on: boolean): void;
  toggle(): void;
  pulse(ms: number): void;
  tone(hz: number, ms?: number): void;
  stop(): void;
  sample(): Sample;
}

/** Codes of a command the node will not try (effect.refused); anything else an output throws is a failure (effect.failed). */
export const REFUSAL_CODES = ['unknown-output', 'unsupported-op'];

/**
 * The node's outputs: the sensors of its configuration whose driver is an
 * output driver, and the driver instances their runners opened. A command
 * acts through the driver and reads the state back.
 */
export class NodeOutputs {
  private readonly outputs = new Map<string, { info: OutputInfo; hz: number; driver?: SensorDriver }>();

  constructor(sensors: readonly SensorConfig[]) {
    for (const s of sensors) {
      if (!OUTPUT_DRIVERS[s.driver] || s.pin === undefined) continue;
      const hz = typeof s.options?.hz === 'number' ? s.options.hz : 2000;
      this.outputs.set(s.name, { info: { name: s.name, driver: s.driver, pin: s.pin }, hz });
    }
  }

  get list(): OutputInfo[] {
    const out: OutputInfo[] = [];
    this.outputs.forEach((o) => out.push({ ...o.info }));
    return out;
  }

  /** The driver a sensor runner has just opened (again, after a reconnect); ignored for sensors that are not outputs. */
  attach(name: string, driver: SensorDriver): void {
    const o = this.outputs.get(name);
    if (o) o.driver = driver;
  }

  /** Carries out the action and returns the output's state read back (on, or playing). */
  apply(a: CommandAction): boolean {
    const o = this.outputs.get(a.output);
    if (!o) throw new FaztError('unknown-output', `this node has no output '${a.output}' (outputs: ${this.names() || 'none'})`);
    if (OUTPUT_DRIVERS[o.info.driver].indexOf(a.op) < 0)
      throw new FaztError('unsupported-op', `output '${a.output}' (${o.info.driver}) cannot ${a.op}; it can ${OUTPUT_DRIVERS[o.info.driver].join(', ')}`);
    if (!o.driver) throw new FaztError('not-open', `output '${a.output}' is not open (its driver failed to start)`);
    const d = o.driver as unknown as OutputDriver;
    return o.info.driver === 'buzzer' ? this.sound(d, o.hz, a) : this.drive(d, a);
  }

  private drive(d: OutputDriver, a: CommandAction): boolean {
    if (a.op === 'on' || a.op === 'off') d.set(a.op === 'on');
    else if (a.op === 'toggle') d.toggle();
    else d.pulse(a.ms as number);
    return d.sample().on === true;
  }

  private sound(d: OutputDriver, hz: number, a: CommandAction): boolean {
    const playing = () => d.sample().playing === true;
    if (a.op === 'off' || (a.op === 'toggle' && playing())) d.stop();
    else if (a.op === 'pulse') d.tone(hz, a.ms);
    else d.tone(hz);
    return playing();
  }

  private names(): string {
    const n: string[] = [];
    this.outputs.forEach((_, k) => n.push(k));
    return n.join(', ');
  }
}
