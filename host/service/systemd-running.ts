import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Whether this machine was booted with systemd as its service manager (sd_booted(3): /run/systemd/system exists). */
export function systemdRunning(root = '/'): boolean {
  return existsSync(join(root, 'run', 'systemd', 'system'));
}
