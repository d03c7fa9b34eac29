import type { Hub } from '../../host/hub/hub.js';
import { TestNode } from '../hub/helpers.js';

/**
 * `count` nodes enrolled on `hub`, each booted with a BME280 running and a
 * system.health, stored through the cartridge's verified ingest at `at`;
 * the first node's sensor is then unplugged (node.sensors judges it
 * degraded). Seeds from `firstSeed` (one byte each).
 */
export function enrolPulseNodes(hub: Hub, count: number, at: number, firstSeed = 10): TestNode[] {
  if (firstSeed + count > 256) throw new RangeError(`seeds ${firstSeed}..${firstSeed + count - 1} do not fit a byte`);
  const nodes = Array.from({ length: count }, (_, i) => new TestNode(firstSeed + i));
  for (const [i, n] of nodes.entries()) {
    hub.cartridge.addNode(n.identity.publicKey, { name: `node-${i}`, board: 'esp32-devkitc' });
    n.record('system.boot', 'node', { firmware: '0.1.0', board: 'esp32-devkitc', sensors: 1 }, at);
    n.record('sensor.state', 'bme280', { from: 'starting', to: 'running' }, at);
    const freeHeap = 120_000 - i;
    n.record(
      'system.health',
      'node',
      { uptimeMs: 60_000, freeHeap, largestFreeBlock: freeHeap / 2, minFreeHeap: freeHeap - 1000, resetReason: 'power-on', rssi: -60, uplinkRetries: 0 },
      at,
    );
    if (i === 0) n.record('sensor.state', 'bme280', { from: 'running', to: 'unplugged', reason: 'no ack at 0x76' }, at);
  }
  for (const r of hub.cartridge.ingestMany(nodes.map((n) => n.batch(1, n.entries.length)))) if (r instanceof Error) throw r;
  return nodes;
}
