import { networkInterfaces } from 'node:os';

/** Non-internal IPv4 addresses (of the interfaces named in `only`, when given): the ones node-ssdp announces on. */
export function lanAddresses(only?: string[]): string[] {
  const out: string[] = [];
  for (const [name, list] of Object.entries(networkInterfaces())) {
    if (only && !only.includes(name)) continue;
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}
