import { join } from 'node:path';
import type { ValueMap } from '../../../firmware/codec/value.js';
import { CARTRIDGE_FILE } from '../../hub/hub.js';
import { readWholeBeat } from '../../pulse/stored-beats.js';
import { Cartridge } from '../../store/cartridge.js';
import type { Command, OptionSpec } from '../command.js';
import { DATA_OPTION, dataFolder } from '../data-folder.js';
import { askHub, FINGERPRINT_OPTION, HUB_OPTION, TOKEN_OPTION } from '../hub-client.js';
import { parseDuration } from '../../duration.js';
import { momentFlag } from '../moment-flag.js';

const DURATION = /^\d+(?:\.\d+)?(ms|s|m|h|d)$/;
import { historyText, type PulseHistory, type PulseView, pulseText } from '../pulse-text.js';

const options: Record<string, OptionSpec> = {
  hub: HUB_OPTION,
  fingerprint: FINGERPRINT_OPTION,
  token: TOKEN_OPTION,
  data: { ...DATA_OPTION, description: "read the latest stored beat from the hub's folder instead of asking a running hub" },
  json: { type: 'boolean', description: 'print the answer as JSON' },
};

/** The latest stored beats and changes of the hub's chain, read from its cartridge (fazt pulse --data). */
function fromCartridge(dir: string, read: (c: Cartridge, hubId: string) => unknown): unknown {
  const c = Cartridge.open(join(dir, CARTRIDGE_FILE));
  try {
    const hub = c.nodes('hub')[0];
    if (!hub) throw new Error(`${dir} holds no hub chain yet: start the hub with --data ${dir} first`);
    return read(c, hub.id);
  } finally {
    c.close();
  }
}

function latestBeat(c: Cartridge, hubId: string): PulseView {
  const beat = c.events({ node: hubId, type: 'pulse.beat', order: 'desc', limit: 1 }).events[0];
  if (!beat) return { status: 'unknown', at: null, text: 'No beat stored yet.', issues: [], unknown: [], nodes: [] };
  // A beat's nodes are in the figures events it cites (or inline, in a beat stored before those).
  const whole = readWholeBeat(c, hubId, beat.data as ValueMap);
  if (!whole) throw new Error(`the latest beat ${beat.id} cites figures this cartridge does not hold`);
  const d = whole as unknown as PulseView & { nodes: Record<string, { name: string; figures: Record<string, number> }> };
  return { ...d, nodes: Object.values(d.nodes) };
}

function storedHistory(since: number): (c: Cartridge, hubId: string) => PulseHistory {
  return (c, hubId) => {
    const h: PulseHistory = { beats: [], changes: [] };
    for (const e of c.events({ node: hubId, type: 'pulse.#', since, limit: 1000 }).events) {
      const d = e.data as ValueMap;
      if (e.type === 'pulse.beat') h.beats.push({ id: e.id, at: d.at as number, status: d.status as string, counts: d.counts as Record<string, number> });
      else h.changes.push({ id: e.id, ...(d as unknown as Omit<PulseHistory['changes'][number], 'id'>) });
    }
    return h;
  };
}

const history: Command = {
  name: 'history',
  summary: 'The beats and status changes since a moment (default the last 24 h)',
  usage: 'fazt pulse history [--since 24h|ISO] [--hub URL | --data DIR] [--json]',
  options: { ...options, since: { type: 'string', value: 'WHEN', description: 'a duration ago (24h, 7d) or an ISO time with its zone (default 24h)' } },
  run: async ({ values, out }) => {
    const text = typeof values.since === 'string' ? values.since : '24h';
    let h: PulseHistory;
    if (values.data !== undefined)
      h = fromCartridge(dataFolder(values, { create: false }), storedHistory(momentFlag(text, '--since', Date.now()))) as PulseHistory;
    else {
      // A duration is counted back on the hub's clock, not this machine's.
      const ago = DURATION.test(text.trim()) ? parseDuration(text, '--since') : undefined;
      const query = ago === undefined ? `since=${momentFlag(text, '--since', Date.now())}` : `ago=${Math.floor(ago)}`;
      h = await askHub<PulseHistory>(values, `/v1/pulse/history?${query}`);
    }
    out(values.json ? `${JSON.stringify(h)}\n` : historyText(h));
  },
};

export const pulseCommand: Command = {
  name: 'pulse',
  summary: 'How the hub and its nodes are doing: status, issues, and a paragraph in plain words',
  usage: 'fazt pulse [--hub URL | --data DIR] [--json]',
  help: 'Asks the running hub (GET /v1/pulse, default http://127.0.0.1:7070), or with --data reads the latest beat the hub stored.\nThe hub beats with fazt hub --pulse-every (default 15m); checks and their defaults: README, "Pulse".',
  options,
  subcommands: [history],
  run: async ({ values, out }) => {
    const v = (
      values.data !== undefined ? fromCartridge(dataFolder(values, { create: false }), latestBeat) : await askHub<PulseView>(values, '/v1/pulse')
    ) as PulseView;
    out(values.json ? `${JSON.stringify(v)}\n` : pulseText(v));
  },
};
