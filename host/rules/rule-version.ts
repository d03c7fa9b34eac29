import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { fromJsonValue } from '../../firmware/codec/json-form.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import { nodeCrypto } from '../crypto/node-crypto.js';
import { parseDuration } from '../duration.js';
import type { RuleDocument } from './rule-document.js';

/**
 * A rule's version: SHA-256 over the deterministic CBOR (RFC 8949 §4.2.1,
 * firmware/codec) of its canonical form. Two documents that mean the same
 * rule share a version: durations are written in ms, the defaults are filled
 * in, and `enabled` is left out (enabling a rule does not make it another
 * rule; a backtest compares versions, not switches).
 */
function canonicalRule(doc: RuleDocument): ValueMap {
  const c = fromJsonValue(doc) as ValueMap;
  delete c.enabled;
  delete c.$schema;
  c.version ??= 1;
  c.mode ??= 'single';
  if (c.mode === 'queued') c.max ??= 10;
  c.conditions ??= [];
  const ms = (m: ValueMap, key: string) => {
    const v = m[key];
    if (typeof v === 'string') m[key] = parseDuration(v, key);
  };
  ms(c, 'cooldown');
  for (const t of c.triggers as ValueMap[]) ms(t, 'for');
  for (const a of c.actions as ValueMap[]) for (const k of ['for', 'timeout', 'backoff', 'expires']) ms(a, k);
  return c;
}

/** The version hash, 64 hex digits. */
export function ruleVersion(doc: RuleDocument): string {
  return Buffer.from(nodeCrypto.sha256(encodeCbor(canonicalRule(doc)))).toString('hex');
}
