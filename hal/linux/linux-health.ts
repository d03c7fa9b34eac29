import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthFigures, HealthSource } from '../contracts/health.js';

export interface LinuxHealthOptions {
  /** Where procfs is mounted (tests point it at a folder of their own files). */
  procDir?: string;
  /** Seconds since the process started (process.uptime). */
  uptime?: () => number;
}

const readOr = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** MemAvailable (kB in /proc/meminfo, proc(5)) in bytes: what the kernel can give without swapping. */
export function memAvailable(meminfo: string): number | null {
  const m = /^MemAvailable:\s+(\d+)\s+kB$/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : null;
}

/**
 * The signal level (dBm) of the first interface in /proc/net/wireless (the
 * Linux wireless extensions: two header lines, then `iface: status link level noise ...`).
 */
export function wirelessLevel(wireless: string): number | null {
  const line = wireless
    .split('\n')
    .slice(2)
    .find((l) => l.includes(':'));
  if (!line) return null;
  const level = Number.parseFloat(
    line
      .slice(line.indexOf(':') + 1)
      .trim()
      .split(/\s+/)[2] ?? '',
  );
  return Number.isFinite(level) ? level : null;
}

/**
 * A Linux board's health: the process's uptime, the memory the kernel has
 * available (as freeHeap), and the Wi-Fi level when a wireless interface is
 * up. A Linux box has no "largest free block", no heap low-water mark of its
 * own and no reset reason the process can read: those are null.
 */
export class LinuxHealth implements HealthSource {
  private readonly procDir: string;
  private readonly uptime: () => number;

  constructor(o: LinuxHealthOptions = {}) {
    this.procDir = o.procDir ?? '/proc';
    this.uptime = o.uptime ?? (() => process.uptime());
  }

  read(): HealthFigures {
    const meminfo = readOr(join(this.procDir, 'meminfo'));
    const wireless = readOr(join(this.procDir, 'net', 'wireless'));
    return {
      uptimeMs: Math.floor(this.uptime() * 1000),
      freeHeap: meminfo === null ? null : memAvailable(meminfo),
      largestFreeBlock: null,
      minFreeHeap: null,
      resetReason: null,
      rssi: wireless === null ? null : wirelessLevel(wireless),
    };
  }
}
