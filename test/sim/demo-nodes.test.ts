import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { livingRoomTemperature } from '../../sim/node/demo-nodes.js';

/**
 * The demo's living room gives the default rule "above 22.5 °C for 2 min"
 * (host/effect/default-rules/living-room-warm.json) something to fire on
 * soon after `fazt start`, whatever the time of day: its heating takes the
 * room past 22.5 °C within the first minute and holds it above the rule's
 * hysteresis (22.2 °C) for more than the 2 min the rule waits.
 */
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

describe('the demo living room', () => {
  for (let hour = 0; hour < 24; hour += 1.5)
    it(`powered on at ${String(Math.floor(hour)).padStart(2, '0')}:${hour % 1 ? '30' : '00'} UTC, it is above 22.5 °C within 60 s and stays above 22.2 °C for 2.5 min`, () => {
      for (const day of [0, 97, 211]) {
        const on = T0 + day * DAY + hour * 3_600_000;
        const t = livingRoomTemperature(on);
        let entered: number | undefined;
        for (let ms = 0; ms <= 60_000 && entered === undefined; ms += 2000) if (t(on + ms) > 22.5) entered = ms;
        assert.ok(entered !== undefined, `day ${day}: ${t(on + 60_000).toFixed(2)} °C one minute after power-on`);
        for (let ms = entered; ms <= entered + 150_000; ms += 2000) assert.ok(t(on + ms) > 22.2, `day ${day}: ${t(on + ms).toFixed(2)} °C at ${ms} ms`);
      }
    });
});
