import { parseDuration } from '../duration.js';
import { UsageError } from './command.js';

/** A duration flag (`--duration 30s`) as ms: the unit is required, and a mistake is a usage error naming the flag. */
export function durationFlag(text: string, flag: string): number {
  try {
    return parseDuration(text, flag, { bareMs: false });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
