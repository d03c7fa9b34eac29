import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../host/project-root.js';
import { bundleWithInputs } from './xs-bundle.js';
import { XsWorker, xsnapWorkerPath } from './xs-worker.js';

/** A firmware entry evaluated in XS, as a snapshot of the machine. */
export interface XsImage {
  snapshot: Uint8Array;
  /** Size of the bundle it was evaluated from. */
  bundleBytes: number;
}

interface CacheManifest {
  v: 1;
  entry: string;
  /** The engine that made it: a snapshot is only read by the same build of xsnap. */
  worker: string;
  inputs: string[];
  /** SHA-256 over the inputs' paths and contents. */
  digest: string;
  bundleBytes: number;
  /** The snapshot's file beside the manifest, named by the digest: a manifest never points at another's snapshot. */
  snapshot: string;
}

const images = new Map<string, Promise<XsImage>>();

/**
 * A firmware entry evaluated once in XS and kept as a snapshot of the machine:
 * engines started from it skip the bundle's parse and evaluation and never
 * hold the parser's memory (~10 MB resident each). Made once per process, and
 * kept in node_modules/.cache/fazt-xs/ for the next one while the entry's
 * source files (by content) and the engine are unchanged, so a start needs
 * neither esbuild nor the evaluation. The entry's top level must not call the
 * host: none is attached.
 */
export function snapshotOf(entry: string): Promise<XsImage> {
  let image = images.get(entry);
  if (!image) {
    image = cached(entry) ?? make(entry);
    images.set(entry, image);
    void image.catch(() => images.delete(entry)); // tried again next time
  }
  return image;
}

async function make(entry: string): Promise<XsImage> {
  const { code, inputs } = await bundleWithInputs(entry);
  const maker = new XsWorker();
  let snapshot: Uint8Array;
  try {
    await maker.evaluate(code);
    snapshot = await maker.snapshot();
  } finally {
    await maker.close();
  }
  const image = { snapshot, bundleBytes: Buffer.byteLength(code) };
  store(entry, inputs, image);
  return image;
}

const cacheDir = (): string => join(projectRoot(), 'node_modules', '.cache', 'fazt-xs');
const manifestFile = (entry: string): string => join(cacheDir(), `${createHash('sha256').update(entry).digest('hex').slice(0, 16)}.json`);

function engineId(): string {
  const bin = xsnapWorkerPath();
  const s = statSync(bin);
  return `${bin}:${s.size}:${s.mtimeMs}`;
}

function digestOf(inputs: string[]): string {
  const h = createHash('sha256');
  for (const f of inputs) h.update(`${f}\0`).update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** The cached image, when it was made from the same sources by the same engine; undefined otherwise. */
function cached(entry: string): Promise<XsImage> | undefined {
  try {
    const file = manifestFile(entry);
    if (!existsSync(file)) return undefined;
    const m = JSON.parse(readFileSync(file, 'utf8')) as CacheManifest;
    if (m.v !== 1 || m.entry !== entry || m.worker !== engineId() || digestOf(m.inputs) !== m.digest) return undefined;
    return Promise.resolve({ snapshot: new Uint8Array(readFileSync(join(cacheDir(), m.snapshot))), bundleBytes: m.bundleBytes });
  } catch {
    return undefined; // a missing input or an unreadable cache: make it again
  }
}

/** Best effort: a read-only checkout just runs without the cache. Written whole, then renamed. */
function store(entry: string, inputs: string[], image: XsImage): void {
  try {
    const file = manifestFile(entry);
    const sources = inputs.filter((f) => existsSync(f));
    const digest = digestOf(sources);
    const manifest: CacheManifest = { v: 1, entry, worker: engineId(), inputs: sources, digest, bundleBytes: image.bundleBytes, snapshot: `${digest}.xss` };
    const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheManifest>).snapshot : undefined;
    mkdirSync(cacheDir(), { recursive: true });
    const tmp = `.${process.pid}.tmp`;
    writeFileSync(join(cacheDir(), manifest.snapshot + tmp), image.snapshot);
    renameSync(join(cacheDir(), manifest.snapshot + tmp), join(cacheDir(), manifest.snapshot));
    writeFileSync(file + tmp, JSON.stringify(manifest));
    renameSync(file + tmp, file);
    if (previous && previous !== manifest.snapshot && /^[0-9a-f]{64}\.xss$/.test(previous)) rmSync(join(cacheDir(), previous), { force: true });
  } catch {
    // no cache this time
  }
}
