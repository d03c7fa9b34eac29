import type { RuleService } from '../effect/rule-service.js';
import type { PerceptEngine } from '../percept/percept-engine.js';
import type { PulseService } from '../pulse/pulse-service.js';
import type { Cartridge } from '../store/cartridge.js';
import type { WalCheckpoints } from '../store/wal-checkpoints.js';
import type { HubListener } from './tls/hub-listener.js';

/** What runs on the cartridge, stopped, then the cartridge closed (at shutdown, or when a start fails half way). */
export async function stopServices(s: {
  engine?: PerceptEngine;
  rules?: RuleService;
  pulse?: PulseService;
  checkpoints?: WalCheckpoints;
  store?: Cartridge;
}): Promise<void> {
  s.engine?.stop();
  await s.rules?.stop();
  s.pulse?.stop();
  s.checkpoints?.stop();
  s.store?.close();
}

/**
 * Stops listening and waits for the connections to end: each closes as its
 * last response finishes, and those still open after `graceMs` are cut.
 */
export async function drainServer(listener: HubListener, graceMs: number): Promise<void> {
  const closed = new Promise<void>((ok) => listener.server.close(() => ok()));
  // Connections go idle as their last responses finish: close them as they do, cut the rest after the grace.
  const sweep = setInterval(() => listener.closeIdleConnections(), 20);
  const cut = setTimeout(() => listener.closeAllConnections(), graceMs);
  listener.closeIdleConnections();
  await closed;
  clearInterval(sweep);
  clearTimeout(cut);
}
