/** Oversampling factor (0 = skipped) per channel. */
export interface Oversamplings {
  temperature: number;
  pressure: number;
  humidity: number;
}

/**
 * Measurement time (BME280 §9.1 / Appendix B; BMP280 §3.8.1 gives the same
 * figures): typical 1 + 2·T + (2·P + 0.5) + (2·H + 0.5) ms and maximum
 * 1.25 + 2.3·T + (2.3·P + 0.575) + (2.3·H + 0.575) ms, a term dropped when its
 * channel is skipped. The driver waits the typical time and polls up to the
 * maximum; the model converts in the typical time.
 */
export function measurementTimeMs(o: Oversamplings): { typical: number; max: number } {
  let typical = 1 + 2 * o.temperature;
  let max = 1.25 + 2.3 * o.temperature;
  for (const f of [o.pressure, o.humidity]) {
    if (f > 0) {
      typical += 2 * f + 0.5;
      max += 2.3 * f + 0.575;
    }
  }
  return { typical, max };
}
