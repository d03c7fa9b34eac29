/**
 * Bundled for XS by test/xs/xs-improv.test.ts: the Improv serial parser and
 * provisioning handler inside xsnap-worker.
 */
import { fromHex } from '../../../firmware/codec/text-encodings.js';
import { serveCommands } from '../../../sim/xs/xs-guest.js';
import { runImprov } from '../../provision/improv-script.js';

serveCommands({
  engine: () => ({
    issueCommand: typeof (globalThis as { issueCommand?: unknown }).issueCommand,
    process: typeof (globalThis as { process?: unknown }).process,
  }),
  improv: (chunks: string[], goodPassword: string) => runImprov(chunks.map(fromHex), goodPassword),
});
