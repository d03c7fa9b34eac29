import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { IoError } from '../contracts/errors.js';
import { LinuxI2C } from './linux-i2c.js';
import type { LinuxContext } from './linux-context.js';
import { loadNative } from './load-native.js';
import type { I2cBusModule, I2cBusSync } from './native-types.js';

function looksLikeI2cBus(m: unknown): m is I2cBusModule {
  return typeof (m as { openSync?: unknown } | null)?.openSync === 'function';
}

/**
 * Opens one I2C device on a board bus: claim SDA/SCL through PinClaims
 * (devices on one bus share the claim; the pins free when the last closes),
 * then load i2c-bus, then check that the bus's device file exists, then open
 * it. Each device gets its own i2c-bus handle (i2c-bus opens one file
 * descriptor per address anyway), closed with the device. A failure after the
 * claim releases it.
 */
export function openLinuxI2c(ctx: LinuxContext, pins: { sda?: number; scl?: number }, address: number): LinuxI2C {
  const { board, claims } = ctx;
  const claim = claims.claimI2c(pins, { owner: `i2c 0x${address.toString(16)}` });
  try {
    const def = board.i2c.buses.find((b) => b.sda === claim.sda && b.scl === claim.scl);
    const device = join(ctx.devDir, basename(def?.device ?? `/dev/i2c-${claim.bus ?? 1}`));
    const number = Number(/i2c-(\d+)$/.exec(device)?.[1]);
    const mod = loadNative(ctx.loader, 'i2c-bus', { boardId: board.id, purpose: 'I2C' }, looksLikeI2cBus);
    if (!existsSync(device)) {
      throw new IoError(
        'absent',
        `${board.id}: ${device} does not exist (I2C on SDA ${claim.sda}/SCL ${claim.scl} is not enabled${def?.note ? `: ${def.note}` : ''})`,
      );
    }
    let bus: I2cBusSync;
    try {
      bus = mod.openSync(number);
    } catch (e) {
      throw new IoError('absent', `${board.id}: cannot open ${device}: ${(e as Error).message}`, { cause: e });
    }
    return new LinuxI2C(bus, address, device, () => {
      try {
        bus.closeSync();
      } finally {
        claim.release();
      }
    });
  } catch (e) {
    claim.release();
    throw e;
  }
}
