import { statSync } from 'node:fs';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { isValueMap } from '../../firmware/codec/value.js';
import { type EventEntry, sourceNode } from '../../firmware/event/envelope.js';
import { hubBleComponent, macOfComponent } from '../ble/ble-mac.js';
import { BleDevices } from '../store/ble-devices.js';
import type { Cartridge } from '../store/cartridge.js';

export interface HubMetricsOptions {
  cartridge: Cartridge;
  /** The hub's own chain (counted apart from the nodes'). */
  hubId: string;
  /** How many clients hold the event stream open now. */
  streamClients: () => number;
}

/** The figures of a node's latest system.health that are numbers, by their metric name. */
const HEALTH: Record<string, string> = {
  uptimeMs: 'fazt_node_uptime_ms',
  freeHeap: 'fazt_node_free_heap_bytes',
  largestFreeBlock: 'fazt_node_largest_free_block_bytes',
  minFreeHeap: 'fazt_node_min_free_heap_bytes',
  rssi: 'fazt_node_rssi_dbm',
  uplinkRetries: 'fazt_node_uplink_retries',
  bufferBytes: 'fazt_node_buffer_bytes',
};

function size(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * The hub's figures in the Prometheus text format (GET /metrics), so an
 * existing Prometheus or Grafana can scrape them: counters kept as data
 * arrives (never a scan of the event table), sizes read at the scrape, the
 * process's own CPU, memory and event-loop delay (prom-client's defaults),
 * and each node's last reading of every series and its last health figures.
 * Counters start at zero with the process, as Prometheus expects.
 */
export class HubMetrics {
  readonly registry = new Registry();
  private readonly batches: Counter<'result'>;
  private readonly stored: Counter<'chain'>;
  private readonly reading: Gauge<'node' | 'node_name' | 'component' | 'reading' | 'unit'>;
  private readonly lastSeen: Gauge<'node' | 'node_name'>;
  private readonly health = new Map<string, Gauge<'node' | 'node_name'>>();
  private readonly names = new Map<string, string>();
  private ble: BleDevices | undefined;

  constructor(private readonly o: HubMetricsOptions) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'fazt_hub_' });
    this.batches = new Counter({
      name: 'fazt_uplink_batches_total',
      help: 'Uplink batches answered, by result: acked or the refusal code',
      labelNames: ['result'],
      registers,
    });
    this.stored = new Counter({
      name: 'fazt_events_stored_total',
      help: 'Events stored since the hub started, by chain: node or hub',
      labelNames: ['chain'],
      registers,
    });
    this.reading = new Gauge({
      name: 'fazt_reading',
      help: "Each series' latest stored reading",
      labelNames: ['node', 'node_name', 'component', 'reading', 'unit'],
      registers,
    });
    this.lastSeen = new Gauge({
      name: 'fazt_node_last_event_timestamp_seconds',
      help: "The time of each node's latest stored event (its clock)",
      labelNames: ['node', 'node_name'],
      registers,
    });
    for (const [field, name] of Object.entries(HEALTH))
      this.health.set(field, new Gauge({ name, help: `${field} in the node's latest system.health`, labelNames: ['node', 'node_name'], registers }));
    const file = o.cartridge.file;
    new Gauge({ name: 'fazt_store_bytes', help: 'The cartridge file', registers, collect: onCollect((g) => g.set(size(file))) });
    new Gauge({ name: 'fazt_store_wal_bytes', help: "The cartridge's write-ahead log", registers, collect: onCollect((g) => g.set(size(`${file}-wal`))) });
    new Gauge({
      name: 'fazt_stream_clients',
      help: 'Clients on the event stream (GET /v1/stream)',
      registers,
      collect: onCollect((g) => g.set(o.streamClients())),
    });
  }

  /** An uplink batch's answer: 'acked', or the code it was refused with. */
  batch(result: string): void {
    this.batches.inc({ result });
  }

  /**
   * Called with every commit (the post-commit hook). A commit may hold
   * thousands of entries (a mesh page): the counters grow once per chain kind
   * and each gauge is set once, to its last value in the commit (walked from
   * the end), which is what setting it entry by entry would leave.
   */
  observe(entries: readonly EventEntry[]): void {
    let hub = 0;
    const seen = new Set<string>();
    // The entry walked before: a commit's entries mostly repeat one source and series, whose strings are then not built again.
    let source: string | undefined;
    let node = '';
    let series: { name: string; unit: string } | undefined;
    let ble: string | undefined;
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i];
      if (e.source !== source) {
        source = e.source;
        node = sourceNode(source);
        series = undefined;
        // The hub's chain counts apart; of it only its BLE devices' readings are series (each device by its component, named by its name).
        ble = node === this.o.hubId ? hubBleComponent(source, node) : undefined;
      }
      if (node === this.o.hubId) {
        hub++;
        if (e.type === 'system.ble.added') this.names.clear(); // a device added again may carry a new name
        if (ble === undefined) continue;
      } else if (!seen.has(node)) {
        seen.add(node);
        this.lastSeen.set(this.labels(node), e.time / 1000);
      }
      const d = e.data;
      if (!isValueMap(d)) continue;
      if (e.type === 'sensor.reading' && typeof d.value === 'number' && typeof d.name === 'string' && d.quality !== 'bad') {
        const unit = typeof d.unit === 'string' ? d.unit : '';
        if (series?.name === d.name && series.unit === unit) continue;
        series = { name: d.name, unit };
        const component = e.source.slice(node.length + 1);
        const key = `${node}\u0000${component}\u0000${d.name}\u0000${unit}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const labels = ble === undefined ? this.labels(node) : { node, node_name: this.bleName(ble) };
        this.reading.set({ ...labels, component, reading: d.name, unit }, d.value);
      } else if (ble === undefined && e.type === 'system.health' && !seen.has(`${node}\u0000health`)) {
        seen.add(`${node}\u0000health`);
        const health = this.labels(node);
        for (const [field, gauge] of this.health) {
          const v = d[field];
          if (typeof v === 'number') gauge.set(health, v);
          else gauge.remove(health); // unknown is absent, never a stale or made-up number
        }
      }
    }
    if (hub > 0) this.stored.inc({ chain: 'hub' }, hub);
    if (entries.length - hub > 0) this.stored.inc({ chain: 'node' }, entries.length - hub);
  }

  /** The text to serve, and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  /** A node's labels, built only for a gauge that is set: most entries of a commit set none. */
  private labels(node: string): { node: string; node_name: string } {
    return { node, node_name: this.nameOf(node) };
  }

  /** A BLE device's name as the owner gave it (`fazt ble add --name`), else its component. */
  private bleName(component: string): string {
    let n = this.names.get(component);
    if (n === undefined) {
      this.ble ??= new BleDevices(this.o.cartridge.db);
      n = this.ble.get(macOfComponent(component))?.name ?? component;
      this.names.set(component, n);
    }
    return n;
  }

  private nameOf(node: string): string {
    let n = this.names.get(node);
    if (n === undefined) {
      n = this.o.cartridge.nodeName(node) ?? '';
      this.names.set(node, n);
    }
    return n;
  }
}

/** prom-client calls `collect` with the gauge as `this`. */
function onCollect(set: (g: Gauge) => void): (this: Gauge) => void {
  return function (this: Gauge) {
    set(this);
  };
}
