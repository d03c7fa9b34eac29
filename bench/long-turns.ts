/**
 * bench/long-turns: the long turns of the event loop in a saved CPU profile
 * (bench/soak's --profile-windows or --profile, or any `node --cpu-prof`
 * run), found as stretches without an idle sample and each named by what
 * ran in it (bench/profile-turns.ts), then grouped by that name. The hub's
 * frames are named through dist/fazt.js.map: the map of the build that ran
 * (a rebuild since shifts the lines it names).
 *
 *   node --import tsx bench/long-turns.ts FILE.cpuprofile [--min-ms 50] [--list 20]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { bundleMap, type CpuProfile, ProfileTurns, turnCauses, turnLine } from './profile-turns.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'min-ms': { type: 'string' }, list: { type: 'string' } } });
const [file] = positionals;
if (file === undefined) throw new TypeError('bench/long-turns: give the .cpuprofile to read');
const minMs = Number(values['min-ms'] ?? 50);
const list = Number(values.list ?? 20);
if (!Number.isSafeInteger(list) || list < 0) throw new RangeError(`--list must be a whole number, got ${values.list}`);
const profile = new ProfileTurns(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, bundleMap(new URL('../dist/fazt.js', import.meta.url).href));
const turns = profile.stretches(minMs);
console.log(
  `bench/long-turns: ${file}: ${((profile.span.to - profile.span.from) / 1e6).toFixed(0)} s; ${turns.length} stretches of ${minMs} ms or more without an idle sample`,
);
for (const c of turnCauses(turns)) console.log(`  ${c.count} × ${c.cause}: ${c.ms.toFixed(0)} ms in all, the longest ${c.longest.toFixed(0)} ms`);
console.log(`the ${Math.min(list, turns.length)} longest:`);
for (const t of turns.slice(0, list)) console.log(`  ${turnLine(t)}`);
