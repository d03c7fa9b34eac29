import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import { wholeBeat } from '../../host/pulse/stored-beats.js';

/**
 * wholeBeat on each form a pulse.beat has been stored in: every node
 * inline; nodes in figures parts with every issue in the beat; nodes and
 * their issues in parts, changes in changes parts. Each reads back as the
 * same whole beat.
 */
const AT = Date.UTC(2026, 6, 3, 8);
const A = 'fzaaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'fzbbbbbbbbbbbbbbbbbbbbbbbb';
const node = (name: string): ValueMap => ({ name, figures: { minFreeHeap: 4000 }, facts: {}, sensors: {} });
const issueOf = (subject: string, status: string, check: string): ValueMap => ({ check, subject, name: subject, status, since: AT, title: check });
const hubIssue = issueOf('hub', 'degraded', 'hub.refused');
const issueA = issueOf(A, 'critical', 'node.min-heap');
const issueB = issueOf(B, 'critical', 'node.min-heap');
const unknownA = { check: 'node.clock', subject: A, name: A, title: 'node.clock' };
const change = { check: 'node.min-heap', subject: A, name: A, from: 'healthy', to: 'critical', at: AT, title: 'node.min-heap', causes: [] };
const base = { at: AT, status: 'critical', counts: { healthy: 0, degraded: 1, critical: 2, unknown: 1 }, text: 't', hub: {} };
/** The whole beat every form reads back as (issues critical first, then by check, name, subject). */
const whole = { ...base, issues: [issueA, issueB, hubIssue], unknown: [unknownA], nodes: { [A]: node(A), [B]: node(B) } };

describe('wholeBeat', () => {
  it('a beat with every node inline comes back as it is', () => {
    assert.deepEqual(wholeBeat(whole, new Map()), whole);
  });

  it('a beat whose figures parts carry no issues lists them all itself: read as before', () => {
    const parts = new Map<string, ValueMap>([['p1', { at: AT, nodes: { [A]: node(A), [B]: node(B) }, unknown: [unknownA] }]]);
    const beat = { ...base, issues: [issueA, issueB, hubIssue], unknown: [], parts: ['p1'] };
    assert.deepEqual(wholeBeat(beat, parts), whole);
  });

  it('a beat whose parts carry its nodes’ issues and its changes: the same whole, with its changes', () => {
    const parts = new Map<string, ValueMap>([
      ['p1', { at: AT, nodes: { [B]: node(B) }, unknown: [], issues: [issueB] }],
      ['p2', { at: AT, nodes: { [A]: node(A) }, unknown: [unknownA], issues: [issueA] }],
      ['c1', { at: AT, changes: [change] }],
    ]);
    const beat = { ...base, issues: [hubIssue], unknown: [], parts: ['p1', 'p2'], changeParts: ['c1'] };
    const read = wholeBeat(beat, parts);
    assert.deepEqual(read, { ...whole, nodes: { [B]: node(B), [A]: node(A) }, changes: [change] });
    assert.equal(wholeBeat(beat, new Map([...parts].filter(([id]) => id !== 'c1'))), undefined, 'without a changes part it cites, not read at all');
  });
});
