import type { Clock } from '../../hal/contracts/time.js';
import { RegisterDeviceModel } from '../i2c/register-device-model.js';

/**
 * A plain register file (like a small EEPROM or an unknown chip): registers
 * keep what is written. The HAL conformance suite and `fazt i2c scan`
 * scenarios use it where no particular chip matters.
 */
export class RegisterFileModel extends RegisterDeviceModel {
  constructor(
    address: number,
    clock: Clock,
    private readonly initial: ArrayLike<number> = [],
  ) {
    super(address, clock);
    this.reset();
  }

  reset(): void {
    this.regs.fill(0);
    this.poke(0, this.initial);
    this.pointer = 0;
  }
}
