import type { PeerReading, TimeStatus } from '../../time/timekeeper.js';
import type { Command } from '../command.js';
import { askHub, HUB_OPTIONS } from '../hub-client.js';
import { table } from '../table.js';
import { momentText } from '../moment-text.js';

const secs = (ms: number | null | undefined) => (ms === null || ms === undefined ? '-' : `${(ms / 1000).toFixed(3)} s`);

function statusText(s: TimeStatus): string {
  return [
    `clock       ${momentText(s.now)} (source: ${s.source}, mode ${s.mode})`,
    `local       ${momentText(s.local)}`,
    `consensus   ${momentText(s.consensus)}  offset ${secs(s.offsetMs)}, drift ${s.driftPpm.toFixed(1)} ppm`,
    `confidence  ${s.confidence.toFixed(2)} from ${s.sources} source(s), spread ${secs(s.spreadMs)}, target ${s.targetMs === null ? '-' : `±${s.targetMs / 1000} s`}`,
    `last sync   ${momentText(s.lastSync)}`,
    `ntp         ${s.ntp.synced ? 'synced' : 'not synced'} (${s.ntp.how})`,
  ].join('\n');
}

function readingsText(rs: PeerReading[]): string {
  if (rs.length === 0) return 'no peers polled yet (the hub polls verified beacon peers offering "time")';
  return table(
    ['PEER', 'URL', 'STATUS', 'OFFSET', 'RTT', 'NOTE'],
    rs.map((r) => [r.peer, r.url, r.status, secs(r.offsetMs), r.rttMs === undefined ? '-' : `${r.rttMs.toFixed(1)} ms`, r.error ?? '']),
  );
}

const status: Command = {
  name: 'status',
  summary: "The hub's clock: local, consensus, drift, confidence, sources, NTP",
  usage: 'fazt time status [--hub URL] [--json]',
  options: HUB_OPTIONS,
  run: async ({ values, out }) => {
    const s = await askHub<TimeStatus>(values, '/v1/time/status');
    out(values.json ? JSON.stringify(s) + '\n' : statusText(s) + '\n');
  },
};

const peers: Command = {
  name: 'peers',
  summary: 'The peers polled in the last round: offset, round trip, kept or outlier',
  usage: 'fazt time peers [--hub URL] [--json]',
  options: HUB_OPTIONS,
  run: async ({ values, out }) => {
    const r = await askHub<{ readings: PeerReading[] }>(values, '/v1/time/peers');
    out(values.json ? JSON.stringify(r) + '\n' : readingsText(r.readings) + '\n');
  },
};

const sync: Command = {
  name: 'sync',
  summary: 'Poll the peers now and print the result',
  usage: 'fazt time sync [--hub URL] [--json]',
  options: HUB_OPTIONS,
  run: async ({ values, out }) => {
    const r = await askHub<{ status: TimeStatus; readings: PeerReading[] }>(values, '/v1/time/sync', { method: 'POST', timeoutMs: 30_000 });
    out(values.json ? JSON.stringify(r) + '\n' : `${readingsText(r.readings)}\n\n${statusText(r.status)}\n`);
  },
};

export const timeCommand: Command = {
  name: 'time',
  summary: "Timekeeper: the hub's clock without NTP, from its verified peers",
  usage: 'fazt time <status|peers|sync> [options]',
  subcommands: [status, peers, sync],
};
