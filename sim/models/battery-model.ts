import type { SimAnalogPort } from '../../hal/sim/sim-ports.js';

export interface BatteryModelOptions {
  /** The cell's capacity (mAh). */
  capacityMah: number;
  /** Charge at the start, 0..1 (default 1). */
  charge?: number;
  /** The board's divider (cell volts over pin volts), so the pin sees what the board's ADC would. */
  divider: number;
}

/**
 * Open-circuit voltage of a single LiPo cell against its state of charge
 * (typical 3.7 V cell, rounded from vendors' discharge curves at 0.2 C):
 * pairs of [charge, volts], interpolated linearly.
 */
const LIPO_CURVE: [number, number][] = [
  [0, 3.3],
  [0.05, 3.5],
  [0.1, 3.6],
  [0.2, 3.7],
  [0.5, 3.8],
  [0.8, 4.0],
  [1, 4.2],
];

/**
 * A draining battery: charge falls by the current drawn times how long it
 * was drawn (simulated time), and the pin voltage follows the LiPo curve
 * through the board's divider. The simulator says what the node drew: an
 * ESP32 awake with Wi-Fi on is about 100-160 mA, in deep sleep about 10 µA
 * (plus the board's regulator and LEDs).
 */
export class BatteryModel implements SimAnalogPort {
  private mah: number;

  constructor(private readonly o: BatteryModelOptions) {
    if (!(o.capacityMah > 0)) throw new RangeError(`capacityMah must be > 0, got ${o.capacityMah}`);
    if (!(o.divider >= 1)) throw new RangeError(`divider must be ≥ 1, got ${o.divider}`);
    const c = o.charge ?? 1;
    if (!(c >= 0 && c <= 1)) throw new RangeError(`charge must be in 0..1, got ${c}`);
    this.mah = c * o.capacityMah;
  }

  /** State of charge, 0..1. */
  get charge(): number {
    return this.mah / this.o.capacityMah;
  }

  /** Draws `milliamps` for `ms` of simulated time. */
  draw(milliamps: number, ms: number): void {
    if (!(milliamps >= 0 && ms >= 0)) throw new RangeError(`draw needs milliamps ≥ 0 and ms ≥ 0, got ${milliamps}, ${ms}`);
    this.mah = Math.max(0, this.mah - (milliamps * ms) / 3_600_000);
  }

  /** The cell's voltage now. */
  cellVolts(): number {
    const c = this.charge;
    for (let i = 1; i < LIPO_CURVE.length; i++) {
      const [c1, v1] = LIPO_CURVE[i];
      if (c <= c1) {
        const [c0, v0] = LIPO_CURVE[i - 1];
        return v0 + ((c - c0) / (c1 - c0)) * (v1 - v0);
      }
    }
    return LIPO_CURVE[LIPO_CURVE.length - 1][1];
  }

  /** What the ADC pin sees. */
  volts(): number {
    return this.cellVolts() / this.o.divider;
  }
}
