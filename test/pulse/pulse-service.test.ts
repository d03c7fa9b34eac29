import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HubEventInput, HubLog } from '../../host/hub/hub-log.js';
import type { FigureCollector } from '../../host/pulse/collect-figures.js';
import { PulseCounters } from '../../host/pulse/pulse-counters.js';
import { PulseService } from '../../host/pulse/pulse-service.js';
import type { PulseMetrics } from '../../host/pulse/pulse-types.js';
import type { Cartridge } from '../../host/store/cartridge.js';

/**
 * PulseService on stand-ins for the hub's chain and the collector: what it
 * does when the store cannot take a beat, whoever asked for the beat.
 */
const T = Date.UTC(2026, 5, 2, 20);
const MIN = 60_000;

describe('PulseService', () => {
  it('a beat that cannot be stored is a store error itself: the next beat that can says so, with the changes it held', () => {
    let now = T;
    let full = false;
    const stored: HubEventInput[] = [];
    const counters = new PulseCounters('hub');
    const collector = {
      *collectSteps(): Generator<void, PulseMetrics, void> {
        yield;
        return { at: now, hub: { storeErrors: counters.storeErrors }, hubFacts: {}, nodes: {} };
      },
    };
    const hubLog = {
      id: 'hub',
      appendMany: (items: readonly HubEventInput[]) => {
        if (full) throw new Error('database or disk is full');
        return items.map((x) => {
          stored.push(x);
          return { id: `e${stored.length}` };
        });
      },
    };
    const pulse = new PulseService({
      everyMs: 0,
      cartridge: {} as Cartridge,
      hubLog: hubLog as unknown as HubLog,
      clock: () => now,
      counters,
      streamClients: () => 0,
      collector: collector as unknown as FigureCollector,
      log: () => undefined,
    });
    pulse.beat();
    full = true;
    now += 15 * MIN;
    assert.throws(() => pulse.beat(), /full/);
    assert.equal(counters.storeErrors, 1, 'no uplink was refused: the error is the beat’s own');
    full = false;
    now += 15 * MIN;
    const a = pulse.beat();
    assert.equal(a.judgement.status, 'critical');
    const changes = stored.filter((e) => e.type.startsWith('pulse.') && e.type !== 'pulse.beat').map((e) => [e.type, (e.data as { check: string }).check]);
    assert.deepEqual(changes, [['pulse.critical', 'hub.store-errors']]);
  });
});
