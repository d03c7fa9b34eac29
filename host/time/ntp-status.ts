import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface NtpStatus {
  synced: boolean;
  /** How it was found out, for `fazt time status`. */
  how: string;
}

/**
 * Whether the system clock is kept by NTP: systemd-timesyncd's flag file, then
 * timedatectl. Anything else (a container, a Pi offline, no systemd) counts
 * as not synchronised, which is when the Timekeeper steps in. timedatectl
 * runs synchronously (it blocks this process for tens of milliseconds, more on
 * a busy machine), so it is not run where it cannot answer: without systemd
 * as init (/run/systemd/system, sd_booted(3)).
 */
export function ntpStatus(): NtpStatus {
  if (existsSync('/run/systemd/timesync/synchronized')) return { synced: true, how: 'systemd-timesyncd' };
  if (!existsSync('/run/systemd/system')) return { synced: false, how: 'no NTP status available (not booted with systemd)' };
  try {
    const v = execFileSync('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], {
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return { synced: v === 'yes', how: `timedatectl NTPSynchronized=${v || '?'}` };
  } catch {
    return { synced: false, how: 'no NTP status available (no timedatectl, no timesyncd)' };
  }
}
