import { readFileSync } from 'node:fs';

/** This machine's boot (Linux /proc/sys/kernel/random/boot_id), or undefined where there is none. */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
