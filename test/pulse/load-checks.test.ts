import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { HUB_FIGURES, NODE_FIGURES } from '../../host/pulse/figure-names.js';
import { Judge, loadChecks, PulseCheckError } from '../../host/pulse/judge.js';
import { checkDocumentOnHost } from '../../host/schema/host-validators.js';

/** A whole check, valid unless a test changes it. */
const check = (over: Record<string, unknown> = {}) => ({
  id: 'my.check',
  scope: 'hub',
  metric: 'rssBytes',
  warn: 1e9,
  title: 'Memory',
  text: 'The hub holds {value|bytes}.',
  fix: 'Restart it.',
  ...over,
});

function refused(doc: unknown, path: string, message: RegExp): void {
  assert.throws(
    () => loadChecks(doc),
    (e: unknown) => {
      assert.ok(e instanceof PulseCheckError, String(e));
      assert.equal(e.path, path);
      assert.match(e.message, message);
      return true;
    },
  );
}

describe('The shipped checks', () => {
  const file = new URL('../../host/pulse/default-checks.json', import.meta.url);
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { $schema: string; checks: { id: string; description?: string }[] };

  it('are valid against the schema, each with the reason for its numbers', () => {
    assert.equal(checkDocumentOnHost('pulseChecks', doc), null);
    assert.equal(doc.$schema, '../../schemas/pulse-checks.schema.json');
    for (const c of doc.checks) assert.ok((c.description ?? '').length > 20, `${c.id} says why`);
  });

  it('load, all enabled, and cover the figures the issue names', () => {
    const checks = loadChecks();
    assert.equal(checks.length, doc.checks.length);
    assert.ok(checks.every((c) => c.enabled));
    const on = (scope: string) => checks.filter((c) => c.scope === scope).map((c) => c.metric);
    for (const m of ['diskFreeRatio', 'storeErrors', 'refusedRatio', 'eventLoopDelayMs', 'rssBytes', 'timeConfidence', 'ruleFailures', 'webhookErrors'])
      assert.ok(on('hub').includes(m), m);
    for (const m of ['silentRatio', 'reboots', 'sensorsDown', 'heapLossRatio', 'minFreeHeap', 'clockOffsetMs', 'rssi', 'bufferFill', 'gaps', 'refusedForks'])
      assert.ok(on('node').includes(m), m);
    for (const m of ['lateBatches', 'commandsExpired', 'commandsFailed']) assert.ok(on('node').includes(m), m);
    const silent = checks.find((c) => c.id === 'node.silent');
    assert.deepEqual([silent?.warn, silent?.critical, silent?.pendingMs, silent?.keepMs], [3, 10, 0, 0]);
    const store = checks.find((c) => c.id === 'hub.store-errors');
    assert.deepEqual([store?.aggregate, store?.windowMs, store?.critical], ['increase', 15 * 60_000, 0]);
  });

  it('each render their text and fix with every figure filled in when they fail', () => {
    const hub = Object.fromEntries(Object.keys(HUB_FIGURES).map((k) => [k, 1]));
    const figures = Object.fromEntries(Object.keys(NODE_FIGURES).map((k) => [k, 1]));
    // Past every threshold, whichever way it faces.
    Object.assign(hub, { diskFreeRatio: 0.01, diskFreeBytes: 2e8, refusedRatio: 0.5, eventLoopDelayMs: 5000, rssBytes: 9e8, timeConfidence: 0.1 });
    Object.assign(figures, { silentRatio: 12, lastSeenMs: 1_080_000, expectedMs: 2000, sensorsDown: 1, sensors: 2, heapLossRatio: 0.6 });
    Object.assign(figures, { minFreeHeap: 4000, clockOffsetMs: 700_000, rssi: -95, bufferFill: 0.95, batteryCharge: 0.03, batteryVolts: 3.31 });
    const counters = { reboots: 0, gaps: 0, refusedForks: 0, lateBatches: 0, commandsExpired: 0, commandsFailed: 0 };
    const facts = { firmware: '0.3.1', board: 'esp32-devkitc', resetReason: 'brownout', battery: 'measured' };
    const node = { name: 'hallway', figures: { ...figures, ...counters }, facts, sensors: {} };
    const j = new Judge(loadChecks());
    const hubFacts = { version: '0.1.0', ble: 'configured', bleAbsentNames: 'kitchen' };
    j.judge({ at: 0, hub: { ...hub, storeErrors: 0, ruleFailures: 0, webhookErrors: 0 }, hubFacts, nodes: { n: node } });
    const bumped = { reboots: 9, gaps: 2, refusedForks: 1, lateBatches: 7, commandsExpired: 1, commandsFailed: 1 };
    const r = j.judge({
      at: 2 * 3_600_000,
      hub: { ...hub, storeErrors: 3, ruleFailures: 2, webhookErrors: 4 },
      hubFacts,
      nodes: { n: { ...node, figures: { ...node.figures, ...bumped } } },
    });
    const all = loadChecks();
    assert.equal(r.verdicts.length, all.length);
    for (const v of r.verdicts) {
      assert.notEqual(v.status, 'healthy', `${v.check} fails on these figures`);
      assert.notEqual(v.status, 'unknown', v.check);
      assert.ok(v.text && v.fix, v.check);
      assert.doesNotMatch(`${v.text} ${v.fix}`, /unknown|[{}]|undefined|NaN/, v.check);
    }
    const text = (id: string) => r.verdicts.find((v) => v.check === id)?.text;
    assert.equal(text('node.silent'), 'hallway has been silent for 18 minutes; it usually reports every 2 seconds.');
    assert.equal(text('hub.disk-free'), 'The disk under the store has 1 % free (200 MB).');
    assert.equal(text('node.signal'), "hallway's Wi-Fi signal is weak: -95 dBm.");
    assert.equal(text('node.reboots'), 'hallway restarted 9 times in the last hour (last reset: brownout).');
    assert.equal(text('node.battery'), "hallway's battery is at 3 % (3.31 V).");
    assert.equal(text('hub.ble-absent'), "1 of the hub's 1 BLE devices not heard within their window: kitchen.");
  });
});

describe('A checks document of the owner', () => {
  it('replaces a default by id in its place, switches one off, and adds new ones after the defaults', () => {
    const defaults = loadChecks();
    const checks = loadChecks({
      checks: [{ id: 'node.signal', enabled: false }, check({ id: 'node.silent', scope: 'node', metric: 'silentRatio', warn: 5 }), check()],
    });
    assert.equal(checks.length, defaults.length + 1);
    const at = (id: string) => checks.findIndex((c) => c.id === id);
    assert.equal(
      at('node.silent'),
      defaults.findIndex((c) => c.id === 'node.silent'),
    );
    const silent = checks[at('node.silent')];
    assert.deepEqual([silent.warn, silent.critical, silent.title], [5, undefined, 'Memory']);
    assert.equal(checks[at('node.signal')].enabled, false);
    assert.equal(at('my.check'), checks.length - 1);
    // A hub without BLE devices (no fact `ble`) gets no verdict from hub.ble-absent.
    const hubChecks = defaults.filter((c) => c.scope === 'hub' && c.appliesTo === undefined).length;
    assert.equal(new Judge(checks).judge({ at: 0, hub: {}, hubFacts: {}, nodes: {} }).verdicts.length, hubChecks + 1);
  });

  it('carries a learn-more link to the verdicts and transitions', () => {
    const checks = loadChecks({ checks: [check({ learnMore: 'README.md#pulse-health-checks' })] }).filter((c) => c.id === 'my.check');
    const r = new Judge(checks).judge({ at: 0, hub: { rssBytes: 2e9 }, hubFacts: {}, nodes: {} });
    assert.deepEqual(
      [r.verdicts[0].learnMore, r.transitions[0].learnMore, r.verdicts[0].text],
      ['README.md#pulse-health-checks', 'README.md#pulse-health-checks', 'The hub holds 2 GB.'],
    );
    refused({ checks: [check({ learnMore: 'see the docs' })] }, '/checks/0/learnMore', /must match pattern/);
  });

  it('is refused with the JSON path, the check id and what was wrong', () => {
    refused({ checks: [check({ window: '30 minutes', aggregate: 'max' })] }, '/checks/0/window', /\(check 'my.check'\) is not a duration like 30s/);
    refused({ checks: [check({ text: '{name} at {valeu|bytes}' })] }, '/checks/0/text', /'my.check'.*unknown placeholder 'valeu'/);
    refused({ checks: [check({ fix: 'Wait {value|hours}' })] }, '/checks/0/fix', /unknown format 'hours'/);
    refused({ checks: [check({ text: '{name} at {critical}' })] }, '/checks/0/text', /unknown placeholder 'critical'/);
    refused({ checks: [check({ warn: undefined })] }, '/checks/0', /\(check 'my.check'\) needs a threshold: warn, critical or both/);
    refused({ checks: [check({ scope: 'room' })] }, '/checks/0/scope', /'my.check'.*must be one of "hub", "node"/);
    refused({ checks: [check(), check({ warn: 2e9 })] }, '/checks/1/id', /\(check 'my.check'\) is used twice/);
    refused({ checks: [check({ metric: 'rss' })] }, '/checks/0/metric', /'rss' is not a hub figure \(one of ingestRate, /);
    refused({ checks: [check({ scope: 'node' })] }, '/checks/0/metric', /'rssBytes' is not a node figure/);
    refused({ checks: [check({ appliesTo: 'battery' })] }, '/checks/0/appliesTo', /'battery' is not a hub fact \(one of version, ble, bleAbsentNames\)/);
    refused({ checks: [check({ warn: 10, critical: 5 })] }, '/checks/0/critical', /5 is less severe than warn 10/);
    refused({ checks: [check({ direction: 'below', warn: 5, critical: 10 })] }, '/checks/0/critical', /10 is less severe than warn 5/);
    refused({ checks: [check({ aggregate: 'increase' })] }, '/checks/0/window', /is required/);
    refused({ checks: [{ id: 'node.signl', enabled: false }] }, '/checks/0/id', /'node.signl'.*switches off no default check/);
    refused({ checks: [check({ id: 'My check' })] }, '/checks/0/id', /must match pattern/);
    refused({ check: [] }, '/checks', /is required/);
  });
});
