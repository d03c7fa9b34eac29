/**
 * A retention pass in its own process, for the crash test (kill-9.test.ts):
 * argv file, maxRows. Prints one line a pruned range, as it commits.
 */
import { openWithHub, pass } from './fixture.js';

const [file, rows] = process.argv.slice(2);
const { c, log } = openWithHub(file);
const p = pass(c, log, { maxRows: Number(rows) });
for (let s = p.step(); s; s = p.step()) process.stdout.write(`pruned ${s.node} ${s.first} ${s.last}\n`);
c.close();
process.stdout.write('done\n');
