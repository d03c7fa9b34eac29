import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { JsonValue } from '../../firmware/codec/json-form.js';
import { BoardError, FaztError } from '../../hal/contracts/errors.js';
import type { Board } from '../../hal/board/board.js';
import { getBoard } from '../boards/board-registry.js';
import { projectRoot } from '../project-root.js';
import { loadNodeConfig } from '../node-config/load-node-config.js';
import { firmwareManifest, type FirmwareManifest } from './firmware-manifest.js';
import { checkToolchain, setupInstructions, shellWord } from './toolchain.js';

/**
 * `fazt firmware build|flash`: checks the node configuration and the board
 * on the host, writes a build folder (a generated manifest.json that
 * includes the project's, with this node's board and configuration as
 * mcconfig config), then runs mcconfig there when the Moddable SDK and
 * ESP-IDF are set up, or says exactly what is missing and what to run.
 * Exit codes: 0 ran (or wrote the folder and mcconfig succeeded), 1 bad
 * input or mcconfig failed, 3 tools missing (the folder is written).
 */
export interface FirmwareRequest {
  /** Board id; defaults to the node configuration's `board`. */
  board?: string;
  /**
   * The node configuration (JSON file). Required to build; flash rebuilds the
   * folder from it when given. It goes to the device whole: without hub.url
   * the device finds its hub by Beacon, and hub.token (an invite) enrols it.
   */
  config?: string;
  /** The build folder (default dist/firmware/<board>). */
  outDir?: string;
  wifi?: { ssid: string; password?: string };
  /** Leave out -d (no xsbug debugging). */
  release?: boolean;
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
}

const EXIT_TOOLS_MISSING = 3;

function fail(message: string): never {
  throw new FaztError('firmware', message);
}

/** A board firmware can be built for: a known board whose runtime is moddable. */
function firmwareBoard(id: string): Board {
  const board = getBoard(id);
  if (board.runtime !== 'moddable' || !board.moddable)
    throw new BoardError(
      'unknown-board',
      `board ${id} runs on Node.js (runtime ${board.runtime}), not Moddable firmware: on it, run the node with \`fazt start\``,
    );
  return board;
}

interface BuildFolder {
  dir: string;
  manifest: string;
  board: Board;
}

function writeBuildFolder(board: Board, node: JsonValue, dir: string, wifi?: FirmwareRequest['wifi']): BuildFolder {
  const manifest: FirmwareManifest = firmwareManifest({ projectManifest: join(projectRoot(), 'manifest.json'), board, node, wifi });
  // The folder holds the node's secret key (and any Wi-Fi password): owner only.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  mkdirSync(join(dir, 'out'), { recursive: true }); // mcconfig -o wants an existing directory
  const file = join(dir, 'manifest.json');
  writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { dir, manifest: file, board };
}

/** A build folder written earlier, for the board asked for. */
function existingFolder(board: Board, dir: string): BuildFolder {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) fail(`no build folder at ${dir}: run \`fazt firmware build --board ${board.id} --config <node.json>\` first, or pass --config`);
  let built: string | undefined;
  try {
    built = (JSON.parse(readFileSync(file, 'utf8')) as Partial<FirmwareManifest>).config?.fazt?.board?.id;
  } catch (e) {
    fail(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (built !== board.id) fail(`${file} was built for board ${built ?? '(unknown)'}, not ${board.id}`);
  return { dir, manifest: file, board };
}

interface McconfigRun {
  args: string[];
  env: Record<string, string>;
  /** The shell line a person would type. */
  line: string;
}

/** mcconfig for a folder: `build` stops after building; `flash` (mcconfig's default target, all) builds, flashes over UPLOAD_PORT and starts the debugger. */
function mcconfigRun(folder: BuildFolder, kind: 'build' | 'flash', o: { release?: boolean; port?: string }): McconfigRun {
  const platform = (folder.board.moddable as { platform: string }).platform;
  const args = [
    ...(o.release ? [] : ['-d']),
    '-m',
    '-p',
    platform,
    ...(kind === 'build' ? ['-t', 'build'] : []),
    '-o',
    join(folder.dir, 'out'),
    'manifest.json',
  ];
  const env: Record<string, string> = kind === 'flash' && o.port ? { UPLOAD_PORT: o.port } : {};
  const prefix = Object.entries(env)
    .map(([k, v]) => `${k}=${shellWord(v)} `)
    .join('');
  return { args, env, line: `cd ${shellWord(folder.dir)} && ${prefix}mcconfig ${args.map(shellWord).join(' ')}` };
}

/** mcconfig compiles .ts with the `tsc` it finds first on PATH: the project's (TypeScript 6). */
const tscPathLine = (): string => `export PATH=${shellWord(join(projectRoot(), 'node_modules', '.bin'))}:$PATH`;

function runMcconfig(mcconfig: string, run: McconfigRun, folder: BuildFolder, env: NodeJS.ProcessEnv): Promise<number> {
  const childEnv = { ...env, ...run.env, PATH: `${join(projectRoot(), 'node_modules', '.bin')}${delimiter}${env.PATH ?? ''}` };
  return new Promise((done) => {
    const child = spawn(mcconfig, run.args, { cwd: folder.dir, env: childEnv, stdio: 'inherit' });
    child.on('error', () => done(-1));
    child.on('close', (code) => done(code ?? -1));
  });
}

async function buildOrFlash(kind: 'build' | 'flash', r: FirmwareRequest, port?: string): Promise<number> {
  let node: JsonValue | undefined;
  let boardId = r.board;
  if (r.config !== undefined) {
    node = loadNodeConfig(r.config);
    const named = (node as { board: string }).board;
    if (boardId !== undefined && boardId !== named) fail(`${r.config} is for board ${named}, not ${boardId}`);
    boardId = named;
  }
  if (boardId === undefined) fail(`${kind} needs --board <id> (or --config, whose board it takes)`);
  const board = firmwareBoard(boardId);
  const dir = resolve(r.outDir ?? join(projectRoot(), 'dist', 'firmware', board.id));
  const folder = node !== undefined ? writeBuildFolder(board, node, dir, r.wifi) : existingFolder(board, dir);
  if (node !== undefined) r.out(`wrote ${folder.manifest} (${board.id}, mcconfig platform ${board.moddable?.platform})\n`);
  if (node !== undefined && !r.wifi)
    r.err('note: no --ssid given: the node will not join Wi-Fi (add --ssid/--password, or ssid=… password=… to the mcconfig line)\n');
  const run = mcconfigRun(folder, kind, { release: r.release, port });
  const tools = checkToolchain(board.moddable?.platform ?? '', r.env);
  if (tools.missing.length) {
    r.err(`fazt firmware ${kind}: the build folder is ready, but mcconfig cannot run on this machine.\n`);
    r.err(setupInstructions(tools, [tscPathLine(), run.line]));
    return EXIT_TOOLS_MISSING;
  }
  if (port !== undefined && !existsSync(port)) fail(`no serial port ${port}`);
  r.out(`running: ${run.line}\n`);
  const code = await runMcconfig(tools.mcconfig as string, run, folder, r.env);
  if (code !== 0) {
    r.err(`fazt firmware ${kind}: mcconfig failed (exit ${code})\n`);
    return 1;
  }
  return 0;
}

export function firmwareBuild(r: FirmwareRequest): Promise<number> {
  if (r.config === undefined) fail('build needs --config <node.json>');
  return buildOrFlash('build', r);
}

export function firmwareFlash(r: FirmwareRequest & { port: string }): Promise<number> {
  if (!r.port) fail('flash needs --port <tty>, e.g. /dev/ttyUSB0');
  return buildOrFlash('flash', r, r.port);
}
