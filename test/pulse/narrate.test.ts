import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { narrate, type SensorChange } from '../../host/pulse/narrate.js';
import { type Judgement, type NodeFigures, type PulseMetrics, type PulseStatus, STATUS_RANK, type Verdict } from '../../host/pulse/pulse-types.js';

/**
 * The "how am I doing?" paragraph, from beats built by hand as the collector
 * and the judge would: node count, issues critical first, sensor changes of
 * the last day in the owner's zone, the store and the disk, the unknowns.
 */
const AT = Date.UTC(2025, 5, 1, 14, 20); // 1 June 2025, 14:20 UTC
const MIN = 60_000;
const hm = (h: number, m: number, day = 1) => Date.UTC(2025, 5, day, h, m);

const HUB = { events: 1_234_567, storeBytes: 310_000_000, diskFreeRatio: 0.41 };

function node(name: string, figures: Record<string, number> = { silentRatio: 1, lastSeenMs: 2000, expectedMs: 2000 }): NodeFigures {
  return { name, figures, facts: { firmware: '0.1.0' }, sensors: {} };
}

function metrics(nodes: Record<string, NodeFigures>, hub: Record<string, number> = HUB): PulseMetrics {
  return { at: AT, hub, hubFacts: { version: '0.1.0' }, nodes };
}

function verdict(check: string, subject: string, name: string, status: PulseStatus, title: string, text?: string): Verdict {
  return { check, subject, name, status, since: AT - 10 * MIN, title, text };
}

function judgement(verdicts: Verdict[]): Judgement {
  const worst = verdicts.reduce<PulseStatus>((w, v) => (STATUS_RANK[v.status] > STATUS_RANK[w] ? v.status : w), 'unknown');
  return { at: AT, status: worst, verdicts, transitions: [] };
}

const THREE = { n1: node('living-room'), n2: node('hallway'), n3: node('desk') };
const healthySilence = (ids: string[]) => ids.map((id) => verdict('node.silent', id, THREE[id as keyof typeof THREE].name, 'healthy', 'Node silent'));

function change(node: string, sensor: string, from: string, to: string, at: number): SensorChange {
  return { node, sensor, from, to, at };
}

describe('narrate', () => {
  it('says a healthy hub is healthy, then the node count and the store', () => {
    const text = narrate(metrics(THREE), judgement([...healthySilence(['n1', 'n2', 'n3']), verdict('hub.disk', 'hub', 'the hub', 'healthy', 'Disk space')]));
    assert.equal(
      text,
      'Everything looks healthy. All three nodes are reporting: desk, hallway and living-room. The store holds 1.2 M events (310 MB); the disk has 41 % free.',
    );
  });

  it("writes the issue's example paragraph: a silent node, a sensor unplugged and back", () => {
    const m = metrics({ ...THREE, n2: node('hallway', { silentRatio: 540, lastSeenMs: 18 * MIN, expectedMs: 2000 }) });
    const j = judgement([
      verdict(
        'node.silent',
        'n2',
        'hallway',
        'degraded',
        'Node silent',
        'The hallway node has been silent for 18 minutes; it usually reports every 2 seconds.',
      ),
      ...healthySilence(['n1', 'n3']),
    ]);
    const recent = [
      change('living-room', 'BME280', 'running', 'unplugged', hm(14, 2)),
      change('living-room', 'BME280', 'unplugged', 'reconnecting', hm(14, 3)),
      change('living-room', 'BME280', 'reconnecting', 'unplugged', hm(14, 3)),
      change('living-room', 'BME280', 'unplugged', 'reconnecting', hm(14, 5)),
      change('living-room', 'BME280', 'reconnecting', 'running', hm(14, 5)),
    ];
    assert.equal(
      narrate(m, j, { recent }),
      'Two of three nodes are reporting. The hallway node has been silent for 18 minutes; it usually reports every 2 seconds. ' +
        'The living-room BME280 was unplugged at 14:02 and came back at 14:05. The store holds 1.2 M events (310 MB); the disk has 41 % free.',
    );
  });

  it('tells a silence once: from the verdict, or from the figures while the verdict is still pending', () => {
    const silentFigures = { silentRatio: 540, lastSeenMs: 18 * MIN, expectedMs: 2000 };
    const told = 'The hallway node has been silent for 18 minutes; it usually reports every 2 seconds.';
    const m = metrics({ ...THREE, n2: node('hallway', silentFigures) });
    const byVerdict = narrate(m, judgement([verdict('node.silent', 'n2', 'hallway', 'critical', 'Node silent', told), ...healthySilence(['n1', 'n3'])]));
    assert.equal(byVerdict.split('silent').length - 1, 1, byVerdict);
    const pending = narrate(m, judgement(healthySilence(['n1', 'n2', 'n3'])));
    assert.equal(pending.split('silent').length - 1, 1, pending);
    assert.ok(pending.startsWith(`Two of three nodes are reporting. ${told}`), pending);
    assert.ok(!pending.includes('Everything'), 'a silent node is not healthy, whatever the verdict says yet');
  });

  it('lists issues critical first, each text once, and says when a sensor is still unplugged', () => {
    const j = judgement([
      verdict('node.sensors-down', 'n3', 'desk', 'degraded', 'Sensors down', 'The desk has one sensor down'),
      verdict('hub.disk', 'hub', 'the hub', 'critical', 'Disk space', 'The disk under the store has 4 % free.'),
      verdict('node.rssi', 'n1', 'living-room', 'degraded', 'Wi-Fi signal'),
      verdict('node.sensors-down', 'n3', 'desk', 'degraded', 'Sensors down', 'The desk has one sensor down'),
      ...healthySilence(['n1', 'n2', 'n3']),
    ]);
    const recent = [
      change('desk', 'BH1750', 'running', 'unplugged', hm(13, 40)),
      change('desk', 'BH1750', 'unplugged', 'reconnecting', hm(13, 41)),
      change('desk', 'BH1750', 'reconnecting', 'unplugged', hm(13, 41)),
    ];
    assert.equal(
      narrate(metrics(THREE, { ...HUB, diskFreeRatio: 0.04 }), j, { recent }),
      'All three nodes are reporting: desk, hallway and living-room. The disk under the store has 4 % free. The desk has one sensor down. Wi-Fi signal: living-room is degraded. ' +
        'The desk BH1750 has been unplugged since 13:40. The store holds 1.2 M events (310 MB); the disk has 4 % free.',
    );
  });

  it('names what it cannot judge, grouped by check, never hiding it', () => {
    const j = judgement([
      ...healthySilence(['n1', 'n2', 'n3']),
      verdict('hub.time-confidence', 'hub', 'the hub', 'unknown', 'Time confidence'),
      verdict('node.clock-offset', 'n2', 'hallway', 'unknown', 'Clock offset'),
      verdict('node.clock-offset', 'n3', 'desk', 'unknown', 'Clock offset'),
    ]);
    assert.equal(
      narrate(metrics(THREE, { events: 3400 }), j),
      'Everything I can judge looks healthy. All three nodes are reporting: desk, hallway and living-room. The store holds 3,400 events. ' +
        'I cannot judge yet: Time confidence, Clock offset for hallway and desk (no data).',
    );
    const nothing = narrate(metrics({}, {}), judgement([verdict('hub.disk', 'hub', 'the hub', 'unknown', 'Disk space')]));
    assert.equal(nothing, 'Everything I can judge looks healthy. No nodes are enrolled yet. I cannot judge yet: Disk space (no data).');
  });

  it('says when no node is enrolled yet', () => {
    assert.equal(
      narrate(metrics({}, { events: 12, storeBytes: 48_000, diskFreeRatio: 0.9 }), judgement([])),
      'Everything looks healthy. No nodes are enrolled yet. The store holds 12 events (48 kB); the disk has 90 % free.',
    );
  });

  it('counts reporting nodes in words up to ten', () => {
    const silent = node('x', { silentRatio: 12 });
    const count = (nodes: Record<string, NodeFigures>) => narrate(metrics(nodes, {}), judgement([])).split('. ')[0];
    assert.equal(count({ a: node('a') }), 'Everything looks healthy');
    assert.equal(narrate(metrics({ a: node('a') }, {}), judgement([])), 'Everything looks healthy. The only node, a, is reporting.');
    assert.equal(count({ a: silent }), 'The only node is not reporting');
    assert.equal(count({ a: node('a'), b: silent }), 'One of two nodes is reporting');
    assert.equal(count({ a: silent, b: silent }), 'Neither node is reporting');
    assert.equal(count({ a: silent, b: silent, c: silent }), 'None of the three nodes is reporting');
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`n${i}`, node(`n${i}`)]));
    assert.equal(narrate(metrics(eleven, {}), judgement([])), 'Everything looks healthy. All 11 nodes are reporting.');
    assert.equal(narrate(metrics({ a: node('a'), b: node('b') }, {}), judgement([])), 'Everything looks healthy. Both nodes are reporting: a and b.');
  });

  it("tells times in the owner's zone, with the date when not that day, and only the last 24 h", () => {
    const recent = [
      change('hallway', 'SHT4x', 'running', 'unplugged', Date.UTC(2025, 4, 31, 21, 50)), // 23:50 in Berlin, the day before
      change('hallway', 'SHT4x', 'reconnecting', 'running', Date.UTC(2025, 4, 31, 22, 30)), // 00:30 in Berlin: today there
      change('desk', 'BH1750', 'running', 'unplugged', Date.UTC(2025, 4, 30, 9, 0)), // over a day before the beat
    ];
    const j = judgement(healthySilence(['n1', 'n2', 'n3']));
    const sentences = (timeZone?: string) => narrate(metrics(THREE), j, { recent, timeZone }).split('living-room. ')[1];
    assert.equal(
      sentences('Europe/Berlin'),
      'The hallway SHT4x was unplugged at 23:50 on 31 May and came back at 00:30. The store holds 1.2 M events (310 MB); the disk has 41 % free.',
    );
    assert.match(sentences(), /^The hallway SHT4x was unplugged at 21:50 on 31 May and came back at 22:30 on 31 May\. /);
    assert.throws(() => narrate(metrics(THREE), j, { timeZone: 'Mars/Olympus' }), { name: 'RangeError', message: /timeZone 'Mars\/Olympus'/ });
  });

  it('tells a sensor down several times, and one that recovered from trouble older than the day', () => {
    const recent = [
      change('desk', 'BH1750', 'running', 'unplugged', hm(9, 0)),
      change('desk', 'BH1750', 'reconnecting', 'running', hm(9, 1)),
      change('desk', 'BH1750', 'running', 'unplugged', hm(12, 0)),
      change('desk', 'BH1750', 'reconnecting', 'running', hm(12, 7)),
      change('desk', 'BH1750', 'running', 'unplugged', hm(14, 10)),
      change('hallway', 'SHT4x', 'failed', 'running', hm(10, 15)),
      change('living-room', 'BME280', 'starting', 'running', hm(11, 0)),
      change('living-room', 'BME280', 'running', 'degraded', hm(11, 30)),
      change('living-room', 'BME280', 'degraded', 'running', hm(11, 45)),
    ];
    const text = narrate(metrics(THREE), judgement(healthySilence(['n1', 'n2', 'n3'])), { recent });
    assert.equal(
      text.split('living-room. ')[1],
      'The desk BH1750 was unplugged three times and has been unplugged since 14:10. The hallway SHT4x recovered at 10:15 after failing. ' +
        'The living-room BME280 became degraded at 11:30 and recovered at 11:45. The store holds 1.2 M events (310 MB); the disk has 41 % free.',
    );
    const twice = narrate(metrics(THREE), judgement([]), { recent: recent.slice(0, 4) });
    assert.match(twice, /The desk BH1750 was unplugged twice, the last at 12:00; it came back at 12:07\./);
  });
});

describe('narrate: a sensor as the firmware walks it', () => {
  it('tells an episode by the worst state it reached: degraded at the first fault, unplugged after a few, is "was unplugged"', () => {
    const recent = [
      change('kitchen', 'bme280', 'running', 'degraded', hm(13, 0)),
      change('kitchen', 'bme280', 'degraded', 'unplugged', hm(13, 10)),
      change('kitchen', 'bme280', 'unplugged', 'reconnecting', hm(13, 12)),
      change('kitchen', 'bme280', 'reconnecting', 'unplugged', hm(13, 12)),
      change('kitchen', 'bme280', 'unplugged', 'reconnecting', hm(13, 30)),
      change('kitchen', 'bme280', 'reconnecting', 'running', hm(13, 30)),
      change('desk', 'BH1750', 'running', 'degraded', hm(14, 0)),
      change('desk', 'BH1750', 'degraded', 'unplugged', hm(14, 5)),
      change('living-room', 'BME280', 'running', 'degraded', hm(11, 30)),
      change('living-room', 'BME280', 'degraded', 'running', hm(11, 45)),
    ];
    const text = narrate(metrics(THREE), judgement(healthySilence(['n1', 'n2', 'n3'])), { recent });
    assert.equal(
      text.split('living-room. ')[1],
      'The living-room BME280 became degraded at 11:30 and recovered at 11:45. The kitchen bme280 was unplugged at 13:00 and came back at 13:30. ' +
        'The desk BH1750 has been unplugged since 14:00. The store holds 1.2 M events (310 MB); the disk has 41 % free.',
    );
  });

  it('on a thousand nodes tells twelve issues and twelve sensor troubles, then how many more: the paragraph stays within a beat', () => {
    const nodes: Record<string, NodeFigures> = {};
    const verdicts: Verdict[] = [];
    const recent: SensorChange[] = [];
    for (let i = 0; i < 1000; i++) {
      nodes[`n${i}`] = node(`node-${i}`);
      verdicts.push(verdict('node.signal', `n${i}`, `node-${i}`, 'degraded', 'Weak signal', `node-${i} hears its access point weakly.`));
      verdicts.push(verdict('node.clock', `n${i}`, `node-${i}`, 'unknown', 'Node clock'));
      recent.push(change(`node-${i}`, 'BME280', 'running', 'unplugged', AT - 30 * MIN), change(`node-${i}`, 'BME280', 'unplugged', 'running', AT - 20 * MIN));
    }
    const text = narrate(metrics(nodes), judgement(verdicts), { recent });
    assert.equal(text.match(/hears its access point weakly/g)?.length, 12);
    assert.match(text, /And 988 more issues \(fazt pulse lists them all\)\./);
    assert.equal(text.match(/was unplugged at/g)?.length, 12);
    assert.match(text, /And 988 more sensor troubles in the last day\./);
    assert.match(text, /I cannot judge yet: Node clock for 1000 nodes \(no data\)\./);
    assert.ok(text.length < 20_000, `${text.length} characters`);
  });
});
