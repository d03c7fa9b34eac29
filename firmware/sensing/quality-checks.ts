import type { Quality } from '../event/reading.js';
import type { SensorChannel } from '../../hal/drivers/sensor-driver.js';

/**
 * Plausibility checks on one channel's values, in the order applied:
 *  - range: outside the chip's physical range → bad ('range')
 *  - spike: changed faster than maxRatePerS since the last accepted value → uncertain ('spike')
 *  - stuck: the same value stuckAfter samples in a row → uncertain ('stuck')
 * A bad or spiking value does not become the reference for the next spike check.
 */
export interface ChannelCheckOptions {
  /** Largest believable change per second, in the channel's unit (undefined: no spike check). */
  maxRatePerS?: number;
  /** Samples of an identical value before it counts as stuck (undefined or 0: no stuck check). */
  stuckAfter?: number;
}

export interface Judgement {
  quality: Quality;
  flags: string[];
}

export class ChannelChecks {
  private last: { value: number; time: number } | undefined;
  private same = 0;
  private previous: number | undefined;

  constructor(
    readonly channel: SensorChannel,
    private readonly options: ChannelCheckOptions = {},
  ) {
    if (options.maxRatePerS !== undefined && !(options.maxRatePerS > 0)) throw new RangeError(`maxRatePerS for ${channel.name} must be > 0`);
    if (options.stuckAfter !== undefined && !(Number.isInteger(options.stuckAfter) && options.stuckAfter >= 0)) {
      throw new RangeError(`stuckAfter for ${channel.name} must be an integer ≥ 0`);
    }
  }

  judge(value: number, time: number): Judgement {
    const flags: string[] = [];
    this.same = this.previous === value ? this.same + 1 : 1;
    this.previous = value;
    if (!Number.isFinite(value) || value < this.channel.min || value > this.channel.max) {
      return { quality: 'bad', flags: ['range'] };
    }
    const rate = this.options.maxRatePerS;
    if (rate !== undefined && this.last && time > this.last.time) {
      if (Math.abs(value - this.last.value) / ((time - this.last.time) / 1000) > rate) flags.push('spike');
    }
    if (flags.length === 0) this.last = { value, time };
    const stuck = this.options.stuckAfter;
    if (stuck && this.same >= stuck) flags.push('stuck');
    return { quality: flags.length ? 'uncertain' : 'good', flags };
  }

  /** After a reconnect the old reference says nothing about the new values. */
  reset(): void {
    this.last = undefined;
    this.same = 0;
    this.previous = undefined;
  }
}
