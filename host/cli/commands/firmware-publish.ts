import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PublishResult } from '../../hub/firmware-publish.js';
import type { FirmwareImage } from '../../store/firmware-images.js';
import { type Command, UsageError } from '../command.js';
import { askHub, HUB_OPTIONS } from '../hub-client.js';

/** What mcconfig leaves for an ESP32 under the build folder's out/ (tools/mcconfig/make.esp32.mk copies it to the bin folder). */
const IMAGE_NAME = 'xs_esp32.bin';

function findImages(dir: string, depth = 0): string[] {
  if (depth > 8) return [];
  const found: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) found.push(...findImages(p, depth + 1));
    else if (e.name === IMAGE_NAME) found.push(p);
  }
  return found;
}

/**
 * `<build>`: an image file (.bin), or the folder `fazt firmware build` wrote,
 * where the image is the one xs_esp32.bin under it and the board is the one
 * its manifest.json was built for (config.fazt.board.id).
 */
export function readBuild(build: string, board: string | undefined): { file: string; bytes: Buffer; board: string } {
  let st;
  try {
    st = statSync(build);
  } catch {
    throw new UsageError(`${build}: no such file or folder (give the .bin image or the folder \`fazt firmware build\` wrote)`);
  }
  if (st.isFile()) {
    if (board === undefined) throw new UsageError(`give --board ID: ${build} is an image file, which does not say its board`);
    return { file: build, bytes: readFileSync(build), board };
  }
  const images = findImages(build);
  if (images.length !== 1)
    throw new UsageError(
      images.length === 0
        ? `${build} holds no ${IMAGE_NAME}: build it first (fazt firmware build; mcconfig needs ESP-IDF) or give the .bin`
        : `${build} holds ${images.length} ${IMAGE_NAME} files (${images.join(', ')}): give the one to publish`,
    );
  let built: string | undefined;
  try {
    built = (JSON.parse(readFileSync(join(build, 'manifest.json'), 'utf8')) as { config?: { fazt?: { board?: { id?: string } } } }).config?.fazt?.board?.id;
  } catch {
    built = undefined;
  }
  if (board !== undefined && built !== undefined && board !== built) throw new UsageError(`${build} was built for ${built}, not --board ${board}`);
  const id = board ?? built;
  if (id === undefined) throw new UsageError(`give --board ID: ${build}/manifest.json does not name the board`);
  return { file: images[0], bytes: readFileSync(images[0]), board: id };
}

const short = (sha: string) => `${sha.slice(0, 12)}…`;

export const firmwarePublishCommand: Command = {
  name: 'publish',
  summary: "Store a firmware image at the hub, signed by the hub's key, and offer it to nodes",
  usage: 'fazt firmware publish <build> --version V [--board ID] [--node ID[,ID…]] [--hub URL] [--data DIR] [--json]',
  help: `<build>: the .bin image (then --board is needed) or the folder \`fazt firmware build\` wrote (its xs_esp32.bin and its board).
Asks the running hub with the owner's admin token. The image is stored once per hash; a version names one image per board.
--node offers it to those nodes: each learns of it in its next signed answer, fetches it in chunks, checks the hub's
signature and the hash, and reports system.ota.* events. Every step is an event on the hub's chain.`,
  args: '[build]',
  options: {
    ...HUB_OPTIONS,
    version: { type: 'string', value: 'V', description: 'the image version, e.g. 0.2.0' },
    board: { type: 'string', value: 'ID', description: "the board the image is for (default: the build folder's)" },
    node: { type: 'string', value: 'IDS', description: 'nodes (ids or names, comma-separated) to offer it to now' },
  },
  run: async ({ positionals, values, out }) => {
    if (positionals.length !== 1) throw new UsageError('give exactly one <build>: the .bin image or the build folder');
    if (typeof values.version !== 'string' || values.version === '') throw new UsageError('give --version V (e.g. 0.2.0)');
    const { bytes, board } = readBuild(positionals[0], typeof values.board === 'string' ? values.board : undefined);
    const nodes =
      typeof values.node === 'string'
        ? values.node
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '')
        : [];
    const body = { board, version: values.version, image: bytes.toString('base64'), nodes };
    const r = await askHub<PublishResult>(values, '/v1/firmware', { body, timeoutMs: 60_000 });
    if (values.json) out(`${JSON.stringify(r)}\n`);
    else {
      const i = r.image;
      out(`${r.existed ? 'already published' : 'published'} ${i.board} ${i.version} (${i.size} bytes, sha256 ${short(i.sha256)})\n`);
      for (const o of r.offers) out(`offered to ${o.node} (command ${o.command})\n`);
    }
    return 0;
  },
};

export const firmwareListCommand: Command = {
  name: 'list',
  summary: 'List the firmware images the hub holds and the nodes they were offered to',
  usage: 'fazt firmware list [--hub URL] [--data DIR] [--json]',
  options: HUB_OPTIONS,
  run: async ({ values, out }) => {
    const { images } = await askHub<{ images: (FirmwareImage & { offers: { node: string; command: string; state: string }[] })[] }>(values, '/v1/firmware');
    if (values.json) out(`${JSON.stringify({ images })}\n`);
    else if (images.length === 0) out('no firmware images published\n');
    else
      for (const i of images) {
        out(`${i.board} ${i.version}  ${i.size} bytes  sha256 ${short(i.sha256)}  published ${new Date(i.publishedAt).toISOString()}\n`);
        for (const o of i.offers) out(`  ${o.node}: ${o.state}\n`);
      }
    return 0;
  },
};
