/**
 * The rule engine (issue 11, part C), one entry for the hub to import when it
 * wires rules in: documents checked and versioned, the engine fed stored
 * events and time, backtests, explanations and the targets check. Pure: no
 * clock, no I/O; the hub carries out the intents.
 */
export { backtest, backtestAgainst, type BacktestResult, type FiringDiff } from './backtest.js';
export { compileRule } from './compile-rule.js';
export type { CompiledRule, NodeRef } from './compiled-rule.js';
export { RuleEngine, type EngineState } from './engine.js';
export { explain, type Explanation } from './explain.js';
export type { RecordedEvent } from './feed.js';
export type { LoggedEntry } from './logged-entry.js';
export type { Firing } from './firing.js';
export type { Intent } from './intents.js';
export type { RuleDocument } from './rule-document.js';
export { RuleError } from './rule-error.js';
export { checkRuleTargets, findTargetProblems, type TargetNode } from './rule-targets.js';
export { ruleVersion } from './rule-version.js';
