import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nobleCrypto } from '../../firmware/crypto/noble-crypto.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { OfflineBuffer } from '../../firmware/uplink/offline-buffer.js';
import type { UplinkResult } from '../../firmware/uplink/transport.js';
import { Uplink } from '../../firmware/uplink/uplink.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

/** An Uplink on a virtual clock whose transport answers from a script, recording when each batch left. */
function rig(answers: (n: number) => UplinkResult) {
  const clock = new VirtualClock(0);
  const identity = identityFromSecretKey(new Uint8Array(32).fill(7), nobleCrypto);
  const log = new EventLog({ nodeId: identity.id, crypto: nobleCrypto, clock: () => clock.now() });
  const buffer = new OfflineBuffer(64 * 1024);
  const sentAt: number[] = [];
  const uplink = new Uplink({
    identity,
    crypto: nobleCrypto,
    time: clock,
    buffer,
    batchSize: 1,
    maxDelayMs: 0,
    transport: { send: (_batch, done) => done(answers(sentAt.push(clock.now()))) },
  });
  buffer.push(log.append('sensor.reading', 'bme280', { name: 'temperature', value: 21 }), 100);
  uplink.start();
  return { clock, sentAt, uplink };
}

const away: UplinkResult = { ok: false, refused: false, message: 'no hub' };

describe('Uplink retries', () => {
  it('back off doubling from 1 s while the hub is away', () => {
    const { clock, sentAt } = rig(() => away);
    clock.runFor(40_000);
    assert.deepEqual(sentAt, [0, 1000, 3000, 7000, 15_000, 31_000]);
  });

  it('a failure that says when to retry (retryAfterMs: a link that just found its hub) is retried then, and the backoff starts over', () => {
    // Five failures build a 32 s backoff; the sixth answer says "found the hub: send again, now".
    const { clock, sentAt, uplink } = rig((n) => (n === 6 ? { ...away, retryAfterMs: 0 } : n < 6 ? away : { ok: true, ack: { ack: 1, stored: 1 } }));
    clock.runFor(40_000);
    assert.deepEqual(sentAt, [0, 1000, 3000, 7000, 15_000, 31_000, 31_000]);
    assert.equal(uplink.stats.acked, 1);
  });
});

describe('Uplink maxDelayMs', () => {
  it('counts on the timers’ clock, not the events’: a node whose events carry the hub’s time (2026) and whose timers count from boot (1970) still sends after maxDelayMs', () => {
    const timers = new VirtualClock(0); // an ESP32's clock: milliseconds since boot
    const synced = Date.UTC(2026, 5, 1); // what its events say once the hub's time came
    const identity = identityFromSecretKey(new Uint8Array(32).fill(8), nobleCrypto);
    const log = new EventLog({ nodeId: identity.id, crypto: nobleCrypto, clock: () => synced + timers.now() });
    const buffer = new OfflineBuffer(64 * 1024);
    const sentAt: number[] = [];
    const uplink = new Uplink({
      identity,
      crypto: nobleCrypto,
      time: timers,
      buffer,
      batchSize: 32,
      maxDelayMs: 5000,
      transport: {
        send: (_bytes, done) => {
          sentAt.push(timers.now());
          done({ ok: true, ack: { ack: log.head.seq, stored: log.head.seq } });
        },
      },
    });
    uplink.start();
    for (let i = 0; i < 4; i++) {
      timers.runFor(1000);
      buffer.push(log.append('sensor.reading', 'bme280', { name: 'temperature', value: 21 + i }), 100, timers.now());
      uplink.poke();
    }
    timers.runFor(10_000);
    assert.deepEqual(sentAt, [6000], 'one batch of four, 5 s after the first was buffered');
  });
});
