import type { Clock } from '../../hal/contracts/time.js';
import { type BoschCalibration, compensateHumidity, compensatePressure, compensateTemperature } from '../../hal/drivers/bme280/decode.js';
import { BME280 } from '../../hal/drivers/bme280/registers.js';
import { BMP280 } from '../../hal/drivers/bmp280/registers.js';
import { RegisterDeviceModel } from '../i2c/register-device-model.js';

/** Raw ADC values the next conversions deliver as they are (no quantisation, no filter): the back door for worked examples. */
export interface BoschRaw {
  adcT?: number;
  adcP?: number;
  adcH?: number;
}

/**
 * Trimming from a real chip: dig_T/dig_P are the BMP280 datasheet's worked
 * example (§3.12). dig_H is invented (plausible values, of the size real
 * BME280s carry); the datasheet gives no humidity example.
 */
const DEFAULT_CALIBRATION: Required<BoschCalibration> = {
  T1: 27504,
  T2: 26435,
  T3: -1000,
  P1: 36477,
  P2: -10685,
  P3: 3024,
  P4: 2855,
  P5: 140,
  P6: -7,
  P7: 15500,
  P8: -14600,
  P9: 6000,
  H1: 75,
  H2: 362,
  H3: 0,
  H4: 313,
  H5: 50,
  H6: 30,
};

/** osrs and filter codes → factor (§5.4.5 Tables 23/24, §5.4.6 Table 28; codes above 5/4 act as the largest). */
const OSRS = [0, 1, 2, 4, 8, 16, 16, 16];
const FILTER = [0, 2, 4, 8, 16, 16, 16, 16];
/** Normal mode with the filter on: conversions replayed at most; (15/16)^512 < 1e-14, so older ones no longer matter. */
const MAX_CATCH_UP = 512;

/**
 * A Bosch BME280 (chip id 0x60, with humidity) or BMP280 (0x58, without) at
 * register level: chip id, soft reset, ctrl_hum taking effect on the next
 * ctrl_meas write, status measuring/im_update, data registers latched at the
 * end of a conversion, sleep/forced/normal modes with standby, oversampling
 * (skip reads 0x80000/0x8000; 16 + log2(osrs) bits of resolution) and the IIR
 * filter (§3.4.4) on temperature and pressure.
 *
 * Conversions take the datasheet's typical time (§9.1) plus slow(ms); the NVM
 * copy after reset keeps im_update set for t_startup (2 ms) plus slow(ms) (the
 * datasheet gives no separate figure). Physical inputs 'temperature' (°C),
 * 'pressure' (Pa), 'humidity' (%RH) are read at the end of each conversion and
 * turned into the raw value whose compensated output is nearest, by the
 * datasheet's integer formulas (§4.2.3; its §8.1 double formulas differ by up
 * to ~0.5 Pa at −40 °C through t_fine, more than the 0.18 Pa resolution).
 * Not modelled: the filter memory at power-on (the first conversion after a
 * reset or config write seeds it), SPI, im_update before each conversion.
 */
export class Bme280Model extends RegisterDeviceModel {
  private readonly chip: typeof BME280 | typeof BMP280;
  private cal: Required<BoschCalibration> = { ...DEFAULT_CALIBRATION };
  private raw: BoschRaw | null = null;
  private mode: 'sleep' | 'forced' | 'normal' = 'sleep';
  private convEnd = 0;
  private cycleStart = 0;
  private latched = 0;
  private measureMs = 0;
  private osH = 0;
  private imUpdateUntil = 0;
  /** IIR filter memory, temperature and pressure, in raw ADC units. */
  private filt: (number | null)[] = [null, null];
  /** Conversions completed since construction, for tests. */
  conversions = 0;

  constructor(
    address: number,
    clock: Clock,
    readonly variant: 'bme280' | 'bmp280' = 'bme280',
  ) {
    super(address, clock);
    this.chip = variant === 'bme280' ? BME280 : BMP280;
    this.reset();
  }

  /** Power-on reset (also the soft reset): control registers 0, data registers at their skipped values, NVM copied again. */
  reset(): void {
    this.regs.fill(0);
    this.regs[BME280.reg.id] = this.chip.chipId;
    this.writeCalibration();
    this.regs.set([0x80, 0, 0, 0x80, 0, 0], BME280.reg.data);
    if (this.chip.humidity) this.regs.set([0x80, 0], BME280.reg.data + 6);
    this.mode = 'sleep';
    this.osH = 0;
    this.filt = [null, null];
    this.imUpdateUntil = this.clock.now() + BME280.startupMs + this.extraConversionMs;
  }

  // ---- test back door ----

  /** Replaces trimming values (the NVM): the chip then reports them at 0x88.. and 0xE1.. and converts with them. */
  setCalibration(cal: Partial<BoschCalibration>): void {
    this.cal = { ...this.cal, ...cal };
    this.writeCalibration();
  }

  /** Makes the next conversions deliver these raw values (null: back to the physical inputs). */
  setRaw(raw: BoschRaw | null): void {
    if (raw) {
      for (const [k, max] of [
        ['adcT', 0xfffff],
        ['adcP', 0xfffff],
        ['adcH', 0xffff],
      ] as const) {
        const v = raw[k];
        if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= max)) throw new RangeError(`${k} must be an integer from 0 to ${max}, got ${v}`);
      }
    }
    this.raw = raw ? { ...raw } : null;
  }

  // ---- registers ----

  protected override onRegisterWrite(register: number, value: number): void {
    this.update();
    const r = BME280.reg;
    if (register === r.reset) {
      if (value === BME280.resetWord) this.reset();
    } else if (register === r.ctrlHum) {
      if (this.chip.humidity) this.regs[register] = value & 0x07;
    } else if (register === r.ctrlMeas) {
      this.regs[register] = value;
      this.startMode(value & 0x03);
    } else if (register === r.config) {
      // §5.4.6: writes in normal mode may be ignored; this model ignores them.
      if (this.mode === 'normal') return;
      this.regs[register] = value;
      this.filt = [null, null];
    }
    // id, calibration, status and data registers are read-only
  }

  protected override readRegister(register: number): number {
    this.update();
    if (register !== BME280.reg.status) return this.regs[register];
    const now = this.clock.now();
    let status = now < this.imUpdateUntil ? BME280.statusImUpdate : 0;
    if (this.mode === 'forced') status |= BME280.statusMeasuring; // update() ended it if it were done
    if (this.mode === 'normal' && (now - this.cycleStart) % this.period() < this.measureMs) status |= BME280.statusMeasuring;
    return status;
  }

  private period(): number {
    return this.measureMs + this.chip.standbyMs[this.regs[BME280.reg.config] >> 5];
  }

  private startMode(mode: number): void {
    const m = this.regs[BME280.reg.ctrlMeas];
    this.osH = this.chip.humidity ? OSRS[this.regs[BME280.reg.ctrlHum] & 7] : 0;
    const osT = OSRS[m >> 5],
      osP = OSRS[(m >> 2) & 7];
    // §9.1 typical measurement time
    this.measureMs = 1 + 2 * osT + (osP ? 2 * osP + 0.5 : 0) + (this.osH ? 2 * this.osH + 0.5 : 0) + this.extraConversionMs;
    const now = this.clock.now();
    if (mode === BME280.modeSleep) {
      this.mode = 'sleep';
    } else if (mode === BME280.modeNormal) {
      this.mode = 'normal';
      this.cycleStart = now;
      this.latched = 0;
    } else {
      this.mode = 'forced';
      this.convEnd = now + this.measureMs;
    }
  }

  /** Brings the chip up to now: finishes a forced conversion, or runs the normal-mode cycles that have ended. */
  private update(): void {
    const now = this.clock.now();
    if (this.mode === 'forced' && now >= this.convEnd) {
      this.convert(this.convEnd);
      this.mode = 'sleep';
      this.regs[BME280.reg.ctrlMeas] &= 0xfc; // §3.3.2: back to sleep after a forced conversion
    } else if (this.mode === 'normal') {
      const period = this.period();
      const done = now < this.cycleStart + this.measureMs ? 0 : Math.floor((now - this.cycleStart - this.measureMs) / period) + 1;
      const filterOn = FILTER[(this.regs[BME280.reg.config] >> 2) & 7] > 0;
      for (let k = Math.max(this.latched, done - (filterOn ? MAX_CATCH_UP : 1)); k < done; k++) this.convert(this.cycleStart + k * period + this.measureMs);
      this.latched = done;
    }
  }

  /** One conversion ending at `at`: physical inputs → raw values → data registers. */
  private convert(at: number): void {
    this.conversions++;
    const m = this.regs[BME280.reg.ctrlMeas];
    const osT = OSRS[m >> 5],
      osP = OSRS[(m >> 2) & 7];
    const coef = FILTER[(this.regs[BME280.reg.config] >> 2) & 7];
    const raw = this.raw ?? {};
    const cal = this.cal;
    const tFineOf = (adc: number): number => compensateTemperature(adc, cal).tFine;
    // t_fine / 5120 is the temperature, finer than the 0.01 °C output
    const tempAt = (step: number): number => this.nearest((a) => tFineOf(a) / 5120, this.input('temperature', at, 25), 0x100000, step, true);
    const adcT = osT ? (raw.adcT ?? this.filtered(0, coef, tempAt, osT)) : BME280.skipped20;
    const tFine = tFineOf(osT ? adcT : tempAt(1));
    const pressAt = (step: number): number =>
      this.nearest((a) => compensatePressure(a, tFine, cal) / 256, this.input('pressure', at, 101325), 0x100000, step, false);
    const adcP = osP ? (raw.adcP ?? this.filtered(1, coef, pressAt, osP)) : BME280.skipped20;
    this.put20(BME280.reg.data, adcP);
    this.put20(BME280.reg.data + 3, adcT);
    if (!this.chip.humidity) return;
    const humidity = (): number => this.nearest((a) => compensateHumidity(a, tFine, cal) / 1024, this.input('humidity', at, 50), 0x10000, 1, true);
    const adcH = this.osH ? (raw.adcH ?? humidity()) : BME280.skipped16;
    this.regs[BME280.reg.data + 6] = adcH >> 8;
    this.regs[BME280.reg.data + 7] = adcH & 0xff;
  }

  /** Filter off: the ADC's 16 + log2(osrs) bits. Filter on: 20 bits through data = (old·(c−1) + new)/c (§3.4.4). */
  private filtered(ch: 0 | 1, coef: number, search: (step: number) => number, os: number): number {
    if (!coef) return search(16 / os);
    const x = search(1);
    const old = this.filt[ch];
    const f = old === null ? x : (old * (coef - 1) + x) / coef;
    this.filt[ch] = f;
    return Math.round(f);
  }

  /** The multiple of `step` in [0, size) whose output is nearest to target, for a monotonic output. */
  private nearest(f: (adc: number) => number, target: number, size: number, step: number, increasing: boolean): number {
    const g = (k: number): number => (increasing ? f(k * step) : -f(k * step));
    const t = increasing ? target : -target;
    let lo = 0,
      hi = size / step - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (g(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && Math.abs(g(lo - 1) - t) <= Math.abs(g(lo) - t)) lo--;
    return lo * step;
  }

  private put20(at: number, v: number): void {
    this.regs[at] = v >> 12;
    this.regs[at + 1] = (v >> 4) & 0xff;
    this.regs[at + 2] = (v & 0x0f) << 4;
  }

  private writeCalibration(): void {
    const c = this.cal;
    [c.T1, c.T2, c.T3, c.P1, c.P2, c.P3, c.P4, c.P5, c.P6, c.P7, c.P8, c.P9].forEach((v, i) => {
      this.regs[BME280.reg.calib00 + 2 * i] = v & 0xff;
      this.regs[BME280.reg.calib00 + 2 * i + 1] = (v >> 8) & 0xff;
    });
    if (!this.chip.humidity) return;
    this.regs[0xa1] = c.H1;
    // §4.2.2 Table 16: dig_H4 = 0xE4·16 + 0xE5[3:0], dig_H5 = 0xE6·16 + 0xE5[7:4]
    this.regs.set(
      [c.H2 & 0xff, (c.H2 >> 8) & 0xff, c.H3, (c.H4 >> 4) & 0xff, (c.H4 & 0x0f) | ((c.H5 & 0x0f) << 4), (c.H5 >> 4) & 0xff, c.H6 & 0xff],
      BME280.reg.calib26,
    );
  }
}
