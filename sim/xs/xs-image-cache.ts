import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceCacheFolder } from '../../host/cache-folder.js';
import { projectRoot } from '../../host/project-root.js';
import { xsnapWorkerPath } from './xs-worker.js';

/** A firmware entry evaluated in XS, as a snapshot of the machine. */
export interface XsImage {
  snapshot: Uint8Array;
  /** Size of the bundle it was evaluated from. */
  bundleBytes: number;
}

interface CacheManifest {
  /** 2: images fitted to their contents (xs-snapshot-fit.ts). */
  v: 2;
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

/**
 * Images kept between processes, in node_modules/.cache/fazt-xs/ by default
 * ($CACHE_DIRECTORY/fazt-xs/ under a systemd service, whose checkout is read-only):
 * one manifest per entry naming the source files the bundle was built from
 * (by content) and the engine, and the snapshot. Best effort: any doubt is a
 * miss, and a read-only checkout just runs without it.
 */
const defaultCacheDir = (): string => serviceCacheFolder('fazt-xs') ?? join(projectRoot(), 'node_modules', '.cache', 'fazt-xs');

const manifestFile = (dir: string, entry: string): string => join(dir, `${createHash('sha256').update(entry).digest('hex').slice(0, 16)}.json`);

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

/** The cached image of `entry` when it was made from the same sources by the same engine; undefined otherwise. */
export function loadCachedImage(entry: string, dir = defaultCacheDir()): XsImage | undefined {
  try {
    const file = manifestFile(dir, entry);
    if (!existsSync(file)) return undefined;
    const m = JSON.parse(readFileSync(file, 'utf8')) as CacheManifest;
    if (m.v !== 2 || m.entry !== entry || m.worker !== engineId() || digestOf(m.inputs) !== m.digest) return undefined;
    return { snapshot: new Uint8Array(readFileSync(join(dir, m.snapshot))), bundleBytes: m.bundleBytes };
  } catch {
    return undefined; // a missing input or an unreadable cache: make it again
  }
}

/** Keeps an image made from `inputs` (the bundle's source files); files are written whole, then renamed. */
export function storeCachedImage(entry: string, inputs: string[], image: XsImage, dir = defaultCacheDir()): void {
  try {
    const file = manifestFile(dir, entry);
    const sources = inputs.filter((f) => existsSync(f));
    const digest = digestOf(sources);
    const manifest: CacheManifest = { v: 2, entry, worker: engineId(), inputs: sources, digest, bundleBytes: image.bundleBytes, snapshot: `${digest}.xss` };
    const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheManifest>).snapshot : undefined;
    mkdirSync(dir, { recursive: true });
    const tmp = `.${process.pid}.tmp`;
    writeFileSync(join(dir, manifest.snapshot + tmp), image.snapshot);
    renameSync(join(dir, manifest.snapshot + tmp), join(dir, manifest.snapshot));
    writeFileSync(file + tmp, JSON.stringify(manifest));
    renameSync(file + tmp, file);
    if (previous && previous !== manifest.snapshot && /^[0-9a-f]{64}\.xss$/.test(previous)) rmSync(join(dir, previous), { force: true });
  } catch {
    // no cache this time
  }
}
