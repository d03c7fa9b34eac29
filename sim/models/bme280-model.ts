import type { Clock } from '../../hal/contracts/time.js';
import type { BoschCalibration } from '../../hal/drivers/bme280/decode.js';
import { BME280 } from '../../hal/drivers/bme280/registers.js';
import { measurementTimeMs } from '../../hal/drivers/bme280/timing.js';
import { BMP280 } from '../../hal/drivers/bmp280/registers.js';
import { RegisterDeviceModel } from '../i2c/register-device-model.js';
import { BoschAdc, type BoschRaw } from './bosch-adc.js';
import { DEFAULT_BOSCH_CALIBRATION, writeBoschCalibration } from './bosch-calibration.js';

const OSRS = BME280.oversamplingByCode;
const FILTER = BME280.filterByCode;
/** Normal mode with the filter on: conversions replayed at most; (15/16)^512 < 1e-14, so older ones no longer matter. */
const MAX_CATCH_UP = 512;

/**
 * A Bosch BME280 (chip id 0x60, with humidity) or BMP280 (0x58, without) at
 * register level: chip id, soft reset, ctrl_hum taking effect on the next
 * ctrl_meas write, status measuring/im_update, data registers latched at the
 * end of a conversion, sleep/forced/normal modes with standby, oversampling
 * (skip reads 0x80000/0x8000) and the IIR filter; the ADC itself is
 * ./bosch-adc.ts.
 *
 * Conversions take the datasheet's typical time (§9.1) plus slow(ms); the NVM
 * copy after reset keeps im_update set for t_startup (2 ms) plus slow(ms) (the
 * datasheet gives no separate figure). Physical inputs 'temperature' (°C),
 * 'pressure' (Pa), 'humidity' (%RH) are read at the end of each conversion.
 * Not modelled: the filter memory at power-on (the first conversion after a
 * reset or config write seeds it), SPI, im_update before each conversion.
 */
export class Bme280Model extends RegisterDeviceModel {
  private readonly chip: typeof BME280 | typeof BMP280;
  private cal: Required<BoschCalibration> = { ...DEFAULT_BOSCH_CALIBRATION };
  private raw: BoschRaw | null = null;
  private readonly adc = new BoschAdc();
  private mode: 'sleep' | 'forced' | 'normal' = 'sleep';
  private convEnd = 0;
  private cycleStart = 0;
  private latched = 0;
  private measureMs = 0;
  private osH = 0;
  private imUpdateUntil = 0;
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
    writeBoschCalibration(this.regs, this.cal, this.chip.humidity);
    this.regs.set([0x80, 0, 0, 0x80, 0, 0], BME280.reg.data);
    if (this.chip.humidity) this.regs.set([0x80, 0], BME280.reg.data + 6);
    this.mode = 'sleep';
    this.osH = 0;
    this.adc.resetFilter();
    this.imUpdateUntil = this.clock.now() + BME280.startupMs + this.extraConversionMs;
  }

  // ---- test back door ----

  /** Replaces trimming values (the NVM): the chip then reports them at 0x88.. and 0xE1.. and converts with them. */
  setCalibration(cal: Partial<BoschCalibration>): void {
    this.cal = { ...this.cal, ...cal };
    writeBoschCalibration(this.regs, this.cal, this.chip.humidity);
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
      this.adc.resetFilter();
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
    const typical = measurementTimeMs({ temperature: OSRS[m >> 5], pressure: OSRS[(m >> 2) & 7], humidity: this.osH }).typical;
    this.measureMs = typical + this.extraConversionMs;
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
    const settings = { osT: OSRS[m >> 5], osP: OSRS[(m >> 2) & 7], osH: this.osH, coef: FILTER[(this.regs[BME280.reg.config] >> 2) & 7] };
    const inputs = {
      temperature: () => this.input('temperature', at, 25),
      pressure: () => this.input('pressure', at, 101325),
      humidity: () => this.input('humidity', at, 50),
    };
    const { adcT, adcP, adcH } = this.adc.convert(settings, this.cal, inputs, this.raw ?? {});
    this.put20(BME280.reg.data, adcP);
    this.put20(BME280.reg.data + 3, adcT);
    if (!this.chip.humidity) return;
    this.regs[BME280.reg.data + 6] = adcH >> 8;
    this.regs[BME280.reg.data + 7] = adcH & 0xff;
  }

  private put20(at: number, v: number): void {
    this.regs[at] = v >> 12;
    this.regs[at + 1] = (v >> 4) & 0xff;
    this.regs[at + 2] = (v & 0x0f) << 4;
  }
}
