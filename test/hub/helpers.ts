import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchToValue, createBatch, type Batch } from '../../firmware/batch/batch.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { stringifyJson } from '../../firmware/codec/json-form.js';
import type { Value } from '../../firmware/codec/value.js';
import type { EventClock, EventEntry } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { identityFromSecretKey, type NodeIdentity } from '../../firmware/identity/node-id.js';
import assert from 'node:assert/strict';
import { fromHex } from '../../firmware/codec/text-encodings.js';
import { checkAck } from '../../firmware/uplink/signed-ack.js';
import { uplinkResult } from '../../firmware/uplink/transport.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import type { HubAddress, HubOptions } from '../../host/hub/hub-options.js';

export const crypto = nodeCrypto;

/** A temp directory removed by the returned cleanup. */
export function tempDir(prefix = 'fazt-hub-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A simulated node: a fixed identity (seed byte) and its hash-chained log. */
export class TestNode {
  readonly identity: NodeIdentity;
  readonly log: EventLog;
  readonly entries: EventEntry[] = [];
  private t = 1_767_225_600_000;

  /** `clockSource`: entries name their clock ('rtc' | 'hub' | 'unsynced'); omitted, they carry no clock field. */
  constructor(seed: number, clockSource?: () => EventClock) {
    this.identity = identityFromSecretKey(new Uint8Array(32).fill(seed), crypto);
    this.log = new EventLog({ nodeId: this.identity.id, crypto, clock: () => (this.t += 1000), clockSource });
  }

  get id(): string {
    return this.identity.id;
  }

  /** Appends n readings (or events of `type`) and returns them. */
  append(n: number, type = 'sensor.reading', component = 'bme280'): EventEntry[] {
    const out: EventEntry[] = [];
    for (let i = 0; i < n; i++) {
      const e = this.log.append(type, component, {
        name: 'temperature',
        unit: 'Cel',
        value: 20 + (this.entries.length % 50) / 10,
        quality: 'good',
        time: this.t,
      });
      this.entries.push(e);
      out.push(e);
    }
    return out;
  }

  /** Appends one event as given (a simulated node's event, re-signed by this node) and returns it. */
  record(type: string, component: string, data: Value, time: number): EventEntry {
    const e = this.log.append(type, component, data, time);
    this.entries.push(e);
    return e;
  }

  /** A signed batch of stored entries first..last (1-based seqs). */
  batch(first: number, last: number, dropped?: { from: number; to: number }): Batch {
    return createBatch(this.entries.slice(first - 1, last), this.identity, crypto, dropped);
  }
}

export function cbor(b: Batch): Uint8Array {
  return encodeCbor(batchToValue(b));
}

export function json(b: Batch): string {
  return stringifyJson(batchToValue(b));
}

export interface Reply {
  status: number;
  body: { ack?: number; stored?: number; error?: { code: string; message: string; path?: string; rule?: string }; [k: string]: unknown };
}

/** The owner token of each hub startHub runs, by origin: get and post send it, as the owner's scripts do. */
const ownerTokens = new Map<string, string>();

/** The Authorization header with the owner token a hub wrote to `<dataDir>/owner.token` (a hub in a child process). */
export function authFrom(dataDir: string): Record<string, string> {
  return { authorization: `Bearer ${readFileSync(join(dataDir, 'owner.token'), 'utf8').trim()}` };
}

/** Lets get and post call `hub` (started by the test itself, or in a child process with this data dir) as its owner; returns the address as given. */
export function asOwner<T extends { url: string }>(hub: Hub | string, addr: T): T {
  const token = typeof hub === 'string' ? readFileSync(join(hub, 'owner.token'), 'utf8').trim() : hub.ownerToken;
  ownerTokens.set(new URL(addr.url).origin, token);
  return addr;
}

/** The Authorization header for the hub at `url` when startHub runs it (none for any other). */
export function ownerAuth(url: string): Record<string, string> {
  const token = ownerTokens.get(new URL(url).origin);
  return token ? { authorization: `Bearer ${token}` } : {};
}

export async function post(url: string, body: Uint8Array | string, contentType = 'application/cbor'): Promise<Reply> {
  const headers: Record<string, string> = { ...ownerAuth(url), ...(contentType ? { 'content-type': contentType } : {}) };
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Reply['body'] };
}

/**
 * An uplink's answer, checked: signed by the hub's key for `node` over the
 * head it names, carrying no commands. Returns what is left to compare:
 * {ack, stored, time}.
 */
export function acked(r: Reply, hub: Hub, node: string): Reply['body'] {
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const { sig, head, ...rest } = r.body;
  assert.ok(typeof sig === 'string' && typeof head === 'string', `a signed answer names its head: ${JSON.stringify(r.body)}`);
  const reply = uplinkResult(r.status, JSON.stringify(r.body));
  assert.ok(reply.ok);
  const check = checkAck(reply.ack, { node, head: fromHex(head), nonce: null }, hub.publicKey, crypto);
  assert.ok(check.ok && check.commands.length === 0, JSON.stringify(check));
  return rest;
}

export async function get(url: string): Promise<Reply> {
  const res = await fetch(url, { headers: ownerAuth(url), signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Reply['body'] };
}

/** A hub on 127.0.0.1 with a free port in a fresh temp data dir; stop() stops it and removes the dir. */
export async function startHub(options: HubOptions = {}): Promise<{ hub: Hub; addr: HubAddress; url: string; dir: string; stop: () => Promise<void> }> {
  const { dir, cleanup } = tempDir();
  const hub = new Hub({ dataDir: dir, host: '127.0.0.1', port: 0, ...options });
  const addr = await hub.start();
  const origin = new URL(addr.url).origin;
  ownerTokens.set(origin, hub.ownerToken);
  return {
    hub,
    addr,
    url: addr.url,
    dir,
    stop: async () => {
      ownerTokens.delete(origin);
      await hub.stop();
      cleanup();
    },
  };
}

/** A percept.level's data about a BME280's temperature, as the percept engine states it: what store tests append on the hub's chain. */
export const levelPercept = (value: number, at: number) => ({
  node: 'fzaaaaaaaaaaaaaaaaaaaaaaaa',
  component: 'bme280',
  name: 'temperature',
  value,
  unit: 'Cel',
  at,
  causes: ['aaaaaaaaaaaaaaaa'],
});
