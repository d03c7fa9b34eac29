import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * What the single executable embeds, as asset key (the path in the checkout,
 * read back by host/assets/shipped-files.ts) → file on disk.
 */
export type AssetMap = Map<string, string>;

function walk(dir: string, keep: (rel: string) => boolean, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const abs = join(dir, d.name);
    if (d.isDirectory()) return walk(abs, keep, base);
    return d.isFile() && keep(relative(base, abs)) ? [abs] : [];
  });
}

/** The files fazt reads at run time: schemas, boards, default rules and checks, the built dashboard, package.json. */
export function shippedFiles(root: string): AssetMap {
  const map: AssetMap = new Map();
  const add = (abs: string) => map.set(relative(root, abs).split('\\').join('/'), abs);
  const json = (rel: string) => rel.endsWith('.json');
  for (const dir of ['schemas', 'boards', 'host/effect/default-rules']) walk(join(root, dir), json).forEach(add);
  if (!existsSync(join(root, 'dist/dashboard/index.html'))) throw new Error('dist/dashboard is not built: run npm run build first');
  walk(join(root, 'dist/dashboard'), () => true).forEach(add);
  add(join(root, 'host/pulse/default-checks.json'));
  add(join(root, 'package.json'));
  return map;
}

/** ELF e_machine of each Node architecture the executable may be built for. */
const ELF_MACHINE: Record<string, number> = { x64: 62, arm64: 183, arm: 40, ia32: 3 };

/** True when `file` is a shared object for `arch` (a .node copied from another machine is not). */
export function builtFor(file: string, arch: string): boolean {
  const head = readFileSync(file).subarray(0, 20);
  return head.readUInt32BE(0) === 0x7f454c46 && head.readUInt16LE(18) === ELF_MACHINE[arch];
}

/** The hardware packages of the linux backend (hal/linux/load-native.ts). */
const NATIVE_PACKAGES = ['pigpio', 'i2c-bus', 'node-ble'];

function dependencies(root: string, pkg: string, seen: Set<string>): void {
  const dir = join(root, 'node_modules', pkg);
  if (seen.has(pkg) || !existsSync(join(dir, 'package.json'))) return;
  seen.add(pkg);
  const deps = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
  for (const d of Object.keys(deps)) dependencies(root, d, seen);
}

/**
 * The linux backend's packages that are installed and whose addons are built
 * for `arch` (on a Pi: pigpio, i2c-bus; node-ble is JavaScript over D-Bus),
 * with the packages they require, as the tree native/node_modules/…: the
 * executable extracts it to its cache and requires them from there. Only
 * what runs is kept: JavaScript, JSON and build/Release/*.node.
 */
export function nativePackages(root: string, arch: string): { assets: AssetMap; packages: string[] } {
  const assets: AssetMap = new Map();
  const packages: string[] = [];
  const seen = new Set<string>();
  for (const pkg of NATIVE_PACKAGES) {
    const dir = join(root, 'node_modules', pkg);
    if (!existsSync(dir)) continue;
    const addons = walk(join(dir, 'build', 'Release'), (rel) => rel.endsWith('.node') && !rel.includes('/'));
    if (!addons.every((a) => builtFor(a, arch))) continue;
    packages.push(pkg);
    dependencies(root, pkg, seen);
  }
  for (const pkg of seen) {
    const dir = join(root, 'node_modules', pkg);
    const keep = (rel: string) =>
      rel.startsWith('build/') ? /^build\/Release\/[^/]+\.node$/.test(rel) : /\.(c?js|json)$/.test(rel) && !rel.startsWith('test/');
    for (const abs of walk(dir, keep)) assets.set(`native/node_modules/${pkg}/${relative(dir, abs)}`, abs);
  }
  return { assets, packages };
}

export const totalBytes = (m: AssetMap): number => [...m.values()].reduce((n, f) => n + statSync(f).size, 0);
