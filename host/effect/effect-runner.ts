import type { ValueMap } from '../../firmware/codec/value.js';
import type { HubLog } from '../hub/hub-log.js';
import type { Firing, Intent } from '../rules/index.js';
import type { Cartridge } from '../store/cartridge.js';
import { requestOutput } from './request-output.js';
import { postWebhook, webhookTarget } from './webhook.js';

export interface EffectRunnerOptions {
  cartridge: Cartridge;
  hubLog: HubLog;
  /** Where effect.notify events are also POSTed, if anywhere. */
  notifyUrl?: string;
  log: (record: Record<string, unknown>) => void;
}

const MAX_CAUSES = 32;

/** What every event the hub makes for a firing says: which rule, which version, and why. */
function provenance(f: Firing): ValueMap {
  const base: ValueMap = { rule: f.rule, version: f.version, causes: f.causes.slice(-MAX_CAUSES) };
  if (f.causes.length > MAX_CAUSES) base.causesTruncated = true;
  return base;
}

function describe(e: unknown): string {
  return (e as Error)?.message ?? String(e);
}

/**
 * Carries out what the rule engine decided, each step an event on the hub's
 * chain citing the events behind it: system.rule.fired (or .stopped), then
 * per action effect.requested with the command queued for the node's
 * downlink, effect.notify, a rule's own emitted event, or effect.webhook
 * once a POST has its outcome. An action that cannot be carried out is an
 * effect.failed on the chain, never a silent drop.
 */
export class EffectRunner {
  private readonly aborter = new AbortController();
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly o: EffectRunnerOptions) {}

  carry(f: Firing): void {
    const why = provenance(f);
    if (f.outcome === 'stopped') {
      this.append('system.rule.stopped', { ...why, reason: f.reason ?? 'stopped', at: f.at });
      return;
    }
    this.append('system.rule.fired', { ...why, trigger: f.trigger, run: f.run, outcome: f.outcome, at: f.at, actions: f.actions.length });
    for (const a of f.actions) {
      try {
        this.act(a, why);
      } catch (e) {
        this.fail(why, describe(e), a);
      }
    }
  }

  /** Ends the webhooks in flight (they record that the hub stopped) and waits for them. */
  async stop(): Promise<void> {
    this.aborter.abort();
    await Promise.all([...this.inflight]);
  }

  private act(a: Intent, why: ValueMap): void {
    switch (a.kind) {
      case 'output':
        return this.output(a, why);
      case 'notify': {
        const data: ValueMap = { ...why, message: a.message, level: a.level };
        if (a.title !== undefined) data.title = a.title;
        this.append('effect.notify', data);
        if (this.o.notifyUrl) this.webhook(this.o.notifyUrl, data, why, { timeoutMs: 10_000, retries: 3, backoffMs: 1000 });
        return;
      }
      case 'webhook':
        return this.webhook(a.url, a.body, why, a);
      case 'emit': {
        const data = { ...(a.data as ValueMap), ...why };
        this.append(a.type, data, a.component);
        return;
      }
    }
  }

  private output(a: Intent & { kind: 'output' }, why: ValueMap): void {
    const { kind: _, ...request } = a;
    requestOutput(this.o.cartridge, this.o.hubLog, request, why);
  }

  private webhook(url: string, body: unknown, why: ValueMap, o: { timeoutMs: number; retries: number; backoffMs: number }): void {
    const target = webhookTarget(url);
    const done = postWebhook(url, body, { ...o, signal: this.aborter.signal })
      .then((r) => {
        const data: ValueMap = { ...why, target, ok: r.ok, attempts: r.attempts };
        if (r.status !== undefined) data.status = r.status;
        if (r.error !== undefined) data.error = r.error;
        this.append('effect.webhook', data);
      })
      .catch((e) => this.o.log({ level: 'error', code: 'webhook', target, message: describe(e) }))
      .finally(() => this.inflight.delete(done));
    this.inflight.add(done);
  }

  private fail(why: ValueMap, reason: string, a: Intent): void {
    const data: ValueMap = { ...why, reason };
    if (a.kind === 'output') {
      data.node = a.node;
      data.action = { op: a.op, ...(a.output !== undefined ? { output: a.output } : { pin: a.pin ?? -1 }) };
    }
    try {
      this.append('effect.failed', data);
    } catch (e) {
      this.o.log({ level: 'error', code: 'effect-failed', rule: why.rule as string, message: describe(e) });
    }
  }

  private append(type: string, data: ValueMap, component = 'rules') {
    return this.o.hubLog.append(type, component, data);
  }
}
