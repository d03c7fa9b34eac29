import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { cbor, ownerAuth, post, startHub, TestNode } from '../hub/helpers.js';

/**
 * GET /metrics in the Prometheus text format, read back by a real parser of
 * that format: counters kept as batches arrive, each series' last reading,
 * the node's health figures, the store's size and the process's own figures.
 */
let h: Awaited<ReturnType<typeof startHub>>;
const node = new TestNode(81);

before(async () => {
  h = await startHub({ log: () => undefined });
  h.hub.cartridge.addNode(node.identity.publicKey, { name: 'lab', board: 'esp32-devkitc' });
});
after(() => h.stop());

async function scrape() {
  const res = await fetch(`${h.url}/metrics`, { headers: ownerAuth(h.url), signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusTextFormat(await res.text());
  const one = (name: string, labels: Record<string, string> = {}) => {
    const f = families.find((x) => x.name === name);
    assert.ok(f, `${name} is exposed`);
    const m = f.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
    return m === undefined ? undefined : Number(m.value);
  };
  return { families, one };
}

describe('GET /metrics', () => {
  it('counts acknowledged and refused batches by code, and events stored', async () => {
    node.append(4);
    assert.equal((await post(`${h.url}/v1/uplink`, cbor(node.batch(1, 4)))).status, 200);
    assert.equal((await post(`${h.url}/v1/uplink`, new Uint8Array([0xff, 0x00]))).status, 400);
    const stranger = new TestNode(82);
    stranger.append(1);
    assert.equal((await post(`${h.url}/v1/uplink`, cbor(stranger.batch(1, 1)))).status, 403);
    const { one } = await scrape();
    assert.equal(one('fazt_uplink_batches_total', { result: 'acked' }), 1);
    assert.equal(one('fazt_uplink_batches_total', { result: 'unknown-node' }), 1);
    const refusedAsCodec = (await scrape()).families
      .find((f) => f.name === 'fazt_uplink_batches_total')
      ?.metrics.filter((m) => m.labels?.result !== 'acked' && m.labels?.result !== 'unknown-node');
    assert.equal(refusedAsCodec?.length, 1, 'the malformed body is counted under its own codec code');
    assert.equal(one('fazt_events_stored_total', { chain: 'node' }), 4);
  });

  it("gives each series' last reading and the node's latest health figures, named", async () => {
    const last = node.entries[3].data as { value: number };
    node.record(
      'system.health',
      'node',
      {
        uptimeMs: 60_000,
        freeHeap: 81_234,
        largestFreeBlock: 40_000,
        minFreeHeap: 80_000,
        resetReason: null,
        rssi: null,
        uplinkRetries: 2,
        bufferBytes: 512,
        bufferBudgetBytes: 65_536,
        firmware: '0.1.0',
      },
      node.entries[3].time + 1000,
    );
    assert.equal((await post(`${h.url}/v1/uplink`, cbor(node.batch(5, 5)))).status, 200);
    const { one } = await scrape();
    const labels = { node: node.id, node_name: 'lab' };
    assert.equal(one('fazt_reading', { ...labels, component: 'bme280', reading: 'temperature', unit: 'Cel' }), last.value);
    assert.equal(one('fazt_node_free_heap_bytes', labels), 81_234);
    assert.equal(one('fazt_node_uplink_retries', labels), 2);
    assert.equal(one('fazt_node_rssi_dbm', labels), undefined, 'an unknown figure is absent, not zero');
    assert.equal(one('fazt_node_last_event_timestamp_seconds', labels), (node.entries[3].time + 1000) / 1000);
  });

  it("reads the store's size at the scrape and carries the process's own figures", async () => {
    const { one } = await scrape();
    assert.ok((one('fazt_store_bytes') ?? 0) > 0);
    assert.ok((one('fazt_store_wal_bytes') ?? -1) >= 0);
    assert.equal(one('fazt_stream_clients'), 0);
    assert.ok((one('fazt_hub_process_resident_memory_bytes') ?? 0) > 0);
  });
});
