import { filePreferences } from '../../../hal/linux/file-preferences.js';
import type { LanLinkConfig } from '../../../firmware/node/lan-node-firmware.js';
import { ConfigNode, type ConfigNodeStatus } from '../../../sim/node/config-node.js';
import type { VirtualClock } from '../../../sim/world/virtual-clock.js';
import { getBoard } from '../../boards/board-registry.js';
import { loadNodeConfig } from '../../node-config/load-node-config.js';
import { type CommandContext, UsageError } from '../command.js';

/** A node `fazt sim node` runs: a demo node (LanNode) or a configuration (ConfigNode). */
export interface RunningNode {
  readonly id: string;
  readonly runtime: 'xs' | 'node';
  run(until: number): Promise<ConfigNodeStatus>;
  close(): Promise<void>;
}

/** What `fazt sim node` parsed once for either kind of node. */
export interface SimNodeContext {
  runtime: 'xs' | 'node';
  lan: Omit<LanLinkConfig, 'hubKey' | 'token' | 'tokenPersists'> & { group: string; port: number };
  interfaces: string[] | undefined;
  clock: VirtualClock;
  say: (obj: Record<string, unknown>, text: string) => void;
  warn: (text: string) => void;
}

/** Starts the firmware in XS, or on Node when asked or when the engine is unavailable (with a warning). */
export async function withFallback<T>(ctx: SimNodeContext, start: (runtime: 'xs' | 'node') => Promise<T>): Promise<T> {
  try {
    return await start(ctx.runtime);
  } catch (e) {
    if (ctx.runtime !== 'xs') throw e;
    ctx.warn(`fazt: WARNING: the XS engine is unavailable (${(e as Error).message}); running the node firmware on Node instead\n`);
    return start('node');
  }
}

const DEMO_FLAGS = ['invite', 'hub-key', 'state', 'board', 'name'];

/** Where a node's preferences (its flash) are kept between runs: beside FILE (--state or --config), FILE without .json + .prefs.json. */
export function preferencesFile(file: string): string {
  return `${file.replace(/\.json$/, '')}.prefs.json`;
}

/**
 * `fazt sim node --config FILE [--hub URL]`: the configuration checked as
 * `fazt node check` checks it, then run as is (sim/node/config-node.ts).
 */
export async function startConfigNode(
  file: string,
  values: CommandContext['values'],
  ctx: SimNodeContext,
): Promise<{ node: RunningNode; onEnrolled: (hub: string) => void }> {
  const extra = DEMO_FLAGS.filter((f) => values[f] !== undefined);
  if (extra.length) throw new UsageError(`--config carries the key, the hub and the board: leave out ${extra.map((f) => `--${f}`).join(', ')}`);
  const hubUrl = typeof values.hub === 'string' ? values.hub.replace(/\/$/, '') : undefined;
  if (hubUrl !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(hubUrl)) throw new UsageError(`--hub '${hubUrl}' is not an http(s) URL`);
  const config = loadNodeConfig(file);
  const c = config as { name?: string; board: string; hub: { url?: string; publicKey: string } };
  const board = getBoard(c.board);
  const node = await withFallback(ctx, (runtime) =>
    ConfigNode.start({
      config,
      board,
      clock: ctx.clock,
      runtime,
      hubUrl,
      lan: ctx.lan,
      interfaces: ctx.interfaces,
      // The device's flash, beside the configuration: a second run continues the chain the hub holds.
      preferences: filePreferences(preferencesFile(file)),
    }),
  );
  const url = hubUrl ?? c.hub.url;
  const name = c.name ?? c.board;
  const { group, port } = ctx.lan;
  ctx.say(
    {
      event: 'started',
      node: node.id,
      name,
      board: c.board,
      runtime: node.runtime,
      hubKey: c.hub.publicKey,
      ...(url ? { url } : { ssdp: `${group}:${port}` }),
    },
    `node ${name} ${node.id} on ${c.board} (${file}): firmware in ${node.runtime === 'xs' ? 'XS' : 'Node'}, ${url ? `hub at ${url}` : `looking for hub key ${c.hub.publicKey.slice(0, 16)}… on ${group}:${port}`}`,
  );
  return { node, onEnrolled: () => undefined };
}
