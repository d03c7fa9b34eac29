import { FaztError, nameError } from '../../hal/contracts/errors.js';
import { parseDuration } from '../duration.js';
import { readShippedFile, shippedFileName } from '../assets/shipped-files.js';
import { checkDocumentOnHost } from '../schema/host-validators.js';
import { HUB_FACTS, HUB_FIGURES, NODE_FACTS, NODE_FIGURES } from './figure-names.js';
import { compileTemplate, type PlaceholderKind, type Template } from './pulse-text.js';

export type Aggregate = 'last' | 'max' | 'min' | 'mean' | 'increase';

/** A check as a document writes it (schemas/pulse-checks.schema.json). */
interface CheckDocument {
  id: string;
  enabled?: boolean;
  scope: 'hub' | 'node';
  metric: string;
  appliesTo?: string;
  window?: string;
  aggregate?: Aggregate;
  direction?: 'above' | 'below';
  warn?: number;
  critical?: number;
  hysteresis?: number;
  pending?: string;
  keep?: string;
  title: string;
  text: string;
  fix: string;
  learnMore?: string;
  description?: string;
}

/** A check ready to judge: defaults filled in, durations in ms, templates compiled. */
export interface ResolvedCheck {
  id: string;
  enabled: boolean;
  scope: 'hub' | 'node';
  metric: string;
  /** A fact's name: only subjects that have it are judged (the others get no verdict, not unknown). */
  appliesTo?: string;
  /** 0: no window (aggregate is last). */
  windowMs: number;
  aggregate: Aggregate;
  direction: 'above' | 'below';
  warn?: number;
  critical?: number;
  hysteresis: number;
  pendingMs: number;
  keepMs: number;
  title: string;
  text: Template;
  fix: Template;
  learnMore?: string;
}

/** A checks document refused: `path` is the JSON Pointer of what was wrong, `check` the id of the check it is in. */
export class PulseCheckError extends FaztError {
  readonly path: string;
  readonly check?: string;
  constructor(code: 'schema' | 'invalid', source: string, path: string, check: string | undefined, message: string) {
    super(code, `pulse checks${source ? ` (${source})` : ''}: ${path || '/'}${check ? ` (check '${check}')` : ''} ${message}`);
    nameError(this, 'PulseCheckError');
    this.path = path;
    this.check = check;
  }
}

const DURATION_FIELDS = /\/(window|pending|keep)$/;

/** Where the shipped checks live (README "Pulse"). */
const DEFAULT_CHECKS_FILE = 'host/pulse/default-checks.json';

function kindOf(c: CheckDocument): (name: string) => PlaceholderKind | undefined {
  const figures: Record<string, string> = c.scope === 'hub' ? HUB_FIGURES : NODE_FIGURES;
  const facts: readonly string[] = c.scope === 'hub' ? HUB_FACTS : NODE_FACTS;
  return (name) => {
    if (name === 'name' || facts.includes(name)) return 'word';
    if (name === 'value' || Object.hasOwn(figures, name) || (name === 'warn' && c.warn !== undefined) || (name === 'critical' && c.critical !== undefined))
      return 'number';
    return undefined;
  };
}

function resolve(c: CheckDocument, fail: (path: string, message: string) => never): ResolvedCheck {
  const figures = c.scope === 'hub' ? HUB_FIGURES : NODE_FIGURES;
  if (!Object.hasOwn(figures, c.metric)) fail('/metric', `'${c.metric}' is not a ${c.scope} figure (one of ${Object.keys(figures).join(', ')})`);
  const facts: readonly string[] = c.scope === 'hub' ? HUB_FACTS : NODE_FACTS;
  if (c.appliesTo !== undefined && !facts.includes(c.appliesTo)) fail('/appliesTo', `'${c.appliesTo}' is not a ${c.scope} fact (one of ${facts.join(', ')})`);
  const direction = c.direction ?? 'above';
  if (c.warn !== undefined && c.critical !== undefined && (direction === 'above' ? c.critical < c.warn : c.critical > c.warn))
    fail('/critical', `${c.critical} is less severe than warn ${c.warn} for a value that is bad ${direction} them`);
  const ms = (field: 'window' | 'pending' | 'keep') => {
    const text = c[field];
    return text === undefined ? 0 : parseDuration(text, field, { bareMs: false });
  };
  const template = (field: 'text' | 'fix') => {
    try {
      return compileTemplate(c[field], kindOf(c));
    } catch (e) {
      return fail(`/${field}`, (e as Error).message);
    }
  };
  const aggregate = c.aggregate ?? 'last';
  return {
    id: c.id,
    enabled: c.enabled !== false,
    scope: c.scope,
    metric: c.metric,
    ...(c.appliesTo === undefined ? {} : { appliesTo: c.appliesTo }),
    windowMs: aggregate === 'last' ? 0 : ms('window'),
    aggregate,
    direction,
    ...(c.warn === undefined ? {} : { warn: c.warn }),
    ...(c.critical === undefined ? {} : { critical: c.critical }),
    hysteresis: c.hysteresis ?? 0,
    pendingMs: ms('pending'),
    keepMs: ms('keep'),
    title: c.title,
    text: template('text'),
    fix: template('fix'),
    ...(c.learnMore === undefined ? {} : { learnMore: c.learnMore }),
  };
}

/** Checks one document (schema, then what a schema cannot say) into entries by position: resolved checks, or ids to switch off. */
function readDocument(doc: unknown, source: string): (ResolvedCheck | { off: string })[] {
  const bad = checkDocumentOnHost('pulseChecks', doc);
  const entries = (doc as { checks?: unknown } | null)?.checks;
  const idAt = (path: string) => {
    const i = /^\/checks\/(\d+)/.exec(path)?.[1];
    const id = i !== undefined && Array.isArray(entries) ? (entries[Number(i)] as { id?: unknown } | null)?.id : undefined;
    return typeof id === 'string' ? id : undefined;
  };
  if (bad) {
    let message = bad.message.slice(`pulseChecks: ${bad.path || '/'} `.length);
    if (bad.rule === 'pattern' && DURATION_FIELDS.test(bad.path)) message = 'is not a duration like 30s, 15m, 1h or 24h';
    else if (bad.rule === 'anyOf' && /\/warn is required/.test(message)) message = 'needs a threshold: warn, critical or both';
    throw new PulseCheckError('schema', source, bad.path, idAt(bad.path), message);
  }
  const seen = new Set<string>();
  return (entries as CheckDocument[]).map((c, i) => {
    const fail = (path: string, message: string): never => {
      throw new PulseCheckError('invalid', source, `/checks/${i}${path}`, c.id, message);
    };
    if (seen.has(c.id)) fail('/id', 'is used twice in this document');
    seen.add(c.id);
    return Object.keys(c).length === 2 && c.enabled === false ? { off: c.id } : resolve(c, fail);
  });
}

/**
 * The checks a beat judges: the shipped defaults (host/pulse/default-checks.json),
 * merged with the owner's document when there is one. The merge, entry by entry:
 * `{"id": ..., "enabled": false}` alone switches the default with that id off
 * (an id no default has is refused: a typo would silently switch nothing off);
 * a whole check with a default's id replaces that default entirely, in its
 * place (no field-by-field merge, so a check means what its document says);
 * a whole check with a new id is added after the defaults. Disabled checks are
 * returned with `enabled: false` (so they can be listed). Throws
 * PulseCheckError naming the JSON path and the check's id.
 */
export function loadChecks(doc?: unknown): ResolvedCheck[] {
  const file = shippedFileName(DEFAULT_CHECKS_FILE);
  const checks = readDocument(JSON.parse(readShippedFile(DEFAULT_CHECKS_FILE).toString('utf8')), DEFAULT_CHECKS_FILE).map((e, i) => {
    if ('off' in e) throw new PulseCheckError('invalid', file, `/checks/${i}`, e.off, 'a default must be a whole check');
    return e;
  });
  if (doc === undefined) return checks;
  const entries = readDocument(doc, '');
  entries.forEach((e, i) => {
    const id = 'off' in e ? e.off : e.id;
    const at = checks.findIndex((c) => c.id === id);
    if ('off' in e) {
      if (at < 0) throw new PulseCheckError('invalid', '', `/checks/${i}/id`, id, 'switches off no default check (no default has that id)');
      checks[at] = { ...checks[at], enabled: false };
    } else if (at >= 0) checks[at] = e;
    else checks.push(e);
  });
  return checks;
}
