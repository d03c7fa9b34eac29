import { IoError } from '../contracts/errors.js';
import { checkFunction, checkObject } from '../contracts/check-options.js';
import type { I2C } from '../contracts/io.js';
import type { Clock } from '../contracts/time.js';

/** What every I2C driver is constructed with; checked once, the same way, naming the option. */
export function checkI2cDriverOptions(options: unknown): { i2c: I2C; clock: Clock } {
  checkObject('options', options);
  const o = options as { i2c?: unknown; clock?: unknown };
  checkObject('i2c', o.i2c);
  const i2c = o.i2c as unknown as I2C;
  checkFunction('i2c.read', i2c.read);
  checkFunction('i2c.write', i2c.write);
  checkFunction('i2c.writeRead', i2c.writeRead);
  checkObject('clock', o.clock);
  const clock = o.clock as unknown as Clock;
  checkFunction('clock.now', clock.now);
  checkFunction('clock.delay', clock.delay);
  return { i2c, clock };
}

export function checkBoolean(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${typeof v}`);
  return v;
}

/** True for an error carrying this IoError/BoardError code. */
export function hasCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}

/**
 * Reads `count` bytes from a chip that NACKs its read header until a
 * measurement is done (Sensirion chips without clock stretching): wait the
 * datasheet's maximum, then retry every retryMs, at most maxRetries times,
 * before giving up with IoError('timeout').
 */
export function readWhenReady(i2c: I2C, clock: Clock, o: { waitMs: number; count: number; retryMs: number; maxRetries: number; what: string }): Uint8Array {
  clock.delay(o.waitMs);
  for (let attempt = 0; ; attempt++) {
    try {
      return i2c.read(o.count);
    } catch (e) {
      if (!hasCode(e, 'nack')) throw e;
      if (attempt >= o.maxRetries) {
        throw new IoError('timeout', `${o.what} not ready ${o.waitMs + o.maxRetries * o.retryMs} ms after the command`, { cause: e });
      }
      clock.delay(o.retryMs);
    }
  }
}
