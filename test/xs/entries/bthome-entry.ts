/**
 * Bundled for XS by test/xs/xs-bthome.test.ts: the BTHome v2 parser inside
 * xsnap-worker, answering the same outcomes as on Node.
 */
import { BthomeError, type BthomeParseOptions } from '../../../firmware/ble/bthome.js';
import { serveCommands } from '../../../sim/xs/xs-guest.js';
import { bthomeOutcome } from './bthome-outcome.js';

serveCommands({
  engine: () => ({
    issueCommand: typeof (globalThis as { issueCommand?: unknown }).issueCommand,
    process: typeof (globalThis as { process?: unknown }).process,
  }),
  /** Constructing the error with Error.prototype frozen, as a Moddable build does (call last). */
  frozenError: () => {
    Object.freeze(Error.prototype);
    const e = new BthomeError('truncated', 'm', 3);
    return `${e.name}:${e.code}:${e.message}`;
  },
  parse: (cases: { hex: string; o?: BthomeParseOptions }[]) => cases.map((c) => bthomeOutcome(c.hex, c.o)),
});
