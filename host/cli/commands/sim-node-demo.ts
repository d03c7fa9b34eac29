import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { filePreferences } from '../../../hal/linux/file-preferences.js';
import { DEMO_NODES } from '../../../sim/node/demo-nodes.js';
import { LanNode } from '../../../sim/node/lan-node.js';
import { getBoard } from '../../boards/board-registry.js';
import { type CommandContext, UsageError } from '../command.js';
import { preferencesFile, type RunningNode, type SimNodeContext, withFallback } from './sim-node-config.js';

/** What `fazt invite --json` prints (the fields a node needs), or the same written by hand. */
interface InviteFile {
  token: string;
  hubKey: string;
}

/** The node's key, and the hub it enrolled with, kept across runs (--state). */
interface NodeState {
  secretKey: string;
  enrolled: string | null;
}

function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new UsageError(`${what} ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
}

const HEX32 = /^[0-9a-f]{64}$/;

/** A demo node (--board) with the key and enrolment of --state, the hub of --invite or --hub-key. */
export async function startDemoNode(values: CommandContext['values'], ctx: SimNodeContext): Promise<{ node: RunningNode; onEnrolled: (hub: string) => void }> {
  if (values.hub !== undefined) throw new UsageError('--hub goes with --config (a demo node finds its hub by Beacon)');
  const boardId = String(values.board ?? 'esp32-c3-devkitm-1');
  const demo = DEMO_NODES.find((d) => d.board === boardId);
  if (!demo) throw new UsageError(`--board '${boardId}' has no demo node; one of ${DEMO_NODES.map((d) => d.board).join(', ')}`);
  const stateFile = typeof values.state === 'string' ? values.state : undefined;
  const state: NodeState =
    stateFile && existsSync(stateFile) ? readJson<NodeState>(stateFile, 'state file') : { secretKey: randomBytes(32).toString('hex'), enrolled: null };
  if (!HEX32.test(String(state.secretKey))) throw new UsageError(`state file ${stateFile}: secretKey must be 64 hex digits`);
  const invite: Partial<InviteFile> = typeof values.invite === 'string' ? readJson<InviteFile>(values.invite, 'invite') : {};
  const hubKey = String(values['hub-key'] ?? invite.hubKey ?? '').toLowerCase();
  if (!HEX32.test(hubKey))
    throw new UsageError(
      values.invite
        ? `invite ${String(values.invite)} has no hubKey (64 hex digits): make it with a newer 'fazt invite --json', or pass --hub-key`
        : '--invite invite.json (or --hub-key, or --config node.json) is required: the node trusts only the hub whose key it holds',
    );
  const token = state.enrolled ? null : typeof invite.token === 'string' ? invite.token : null;
  if (!state.enrolled && token === null) throw new UsageError('--invite with a token is required to enrol (or a --state file of a node already enrolled)');
  const name = typeof values.name === 'string' ? values.name : demo.name;
  const save = () => stateFile && writeFileSync(stateFile, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  save();
  const { group, port } = ctx.lan;
  const options = {
    name,
    board: getBoard(boardId),
    demo,
    clock: ctx.clock,
    secretKey: Buffer.from(state.secretKey, 'hex'),
    link: { hubKey, token, ...ctx.lan },
    interfaces: ctx.interfaces,
    // The node's flash: its chain head and last command seq, so the next run continues its chain.
    preferences: stateFile ? filePreferences(preferencesFile(stateFile)) : undefined,
  };
  const node = await withFallback(ctx, (runtime) => LanNode.start({ ...options, runtime }));
  ctx.say(
    { event: 'started', node: node.id, name, board: boardId, runtime: node.runtime, hubKey, ssdp: `${group}:${port}` },
    `node ${name} ${node.id} on ${boardId}: firmware in ${node.runtime === 'xs' ? 'XS' : 'Node'}, looking for hub key ${hubKey.slice(0, 16)}… on ${group}:${port}`,
  );
  return {
    node,
    onEnrolled: (hub) => {
      state.enrolled = hub;
      save();
    },
  };
}
