import { readFileSync } from 'node:fs';
import { FaztError } from '../../hal/contracts/errors.js';
import { Phrasing } from '../pulse/phrasing.js';
import type { PulseOptions } from '../pulse/pulse-service.js';
import { plainSystemError } from '../system-error.js';
import { type OptionSpec, UsageError } from './command.js';
import { durationFlag } from './duration-flag.js';

/** Pulse's flags on `fazt hub` and `fazt start`. */
export const PULSE_FLAGS: Record<string, OptionSpec> = {
  'pulse-every': { type: 'string', value: 'DURATION', description: "how often the hub judges its health and its nodes' (default 15m; 0s: never)" },
  'pulse-checks': { type: 'string', value: 'FILE', description: 'a checks document merged over the shipped defaults (README, "Pulse")' },
  'phrase-url': {
    type: 'string',
    value: 'URL',
    description: 'an OpenAI-compatible API (e.g. http://127.0.0.1:8080/v1) that words each beat beside the rule-based text',
  },
  'phrase-model': { type: 'string', value: 'NAME', description: 'the model --phrase-url should use' },
  'phrase-key-file': { type: 'string', value: 'FILE', description: 'a file holding the API key for --phrase-url (never given on the command line)' },
};

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new FaztError('io', `cannot read ${flag} ${file}: ${plainSystemError(e) ?? (e as Error).message}`);
  }
}

/** The flags as PulseOptions, each mistake a usage error naming its flag; `false` when --pulse-every is 0. */
export function pulseFlags(values: Record<string, unknown>, timeZone: string, defaultEvery: string): PulseOptions | false {
  const everyMs = durationFlag(typeof values['pulse-every'] === 'string' ? values['pulse-every'] : defaultEvery, '--pulse-every');
  if (everyMs === 0) return false;
  if (everyMs < 1000) throw new UsageError('--pulse-every must be at least 1s (or 0s for no Pulse)');
  const o: PulseOptions = { everyMs: Math.round(everyMs), timeZone };
  const checks = values['pulse-checks'];
  if (typeof checks === 'string') {
    try {
      o.checks = JSON.parse(readText(checks, '--pulse-checks'));
    } catch (e) {
      if (e instanceof FaztError) throw e;
      throw new FaztError('malformed-json', `--pulse-checks ${checks} is not JSON: ${(e as Error).message}`);
    }
  }
  const url = values['phrase-url'];
  if (url === undefined) {
    if (values['phrase-model'] !== undefined || values['phrase-key-file'] !== undefined)
      throw new UsageError('--phrase-model and --phrase-key-file need --phrase-url');
    return o;
  }
  if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) throw new UsageError('--phrase-url must be an http:// or https:// URL');
  const model = values['phrase-model'];
  if (typeof model !== 'string' || model.length === 0) throw new UsageError('--phrase-url needs --phrase-model NAME');
  const keyFile = values['phrase-key-file'];
  const apiKey = typeof keyFile === 'string' ? readText(keyFile, '--phrase-key-file').trim() : undefined;
  o.phrasing = new Phrasing({ url, model, apiKey });
  return o;
}
