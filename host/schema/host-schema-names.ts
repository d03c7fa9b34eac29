/**
 * Documents only the hub reads, by short name → schema file in schemas/. The
 * node's own (firmware/schema/schema-names.ts) are loaded beside them; these
 * get their generated validators in host/schema/, the firmware never sees them.
 */
export const HOST_SCHEMA_IDS = {
  rule: 'https://fazt.dev/schemas/rule.schema.json',
  pulseChecks: 'https://fazt.dev/schemas/pulse-checks.schema.json',
  otaEventData: 'https://fazt.dev/schemas/ota-event-data.schema.json',
} as const;

export type HostSchemaName = keyof typeof HOST_SCHEMA_IDS;

/** What host/schema/validators.generated.js holds: every document the node does not validate itself. */
export const HOST_VALIDATED = ['board', 'scenario', 'eventData', 'rule', 'pulseChecks', 'otaEventData'] as const;

/** Their files, loaded after the firmware's (they may refer to defs). */
export const HOST_SCHEMA_FILES = ['rule', 'pulse-checks', 'ota-event-data'] as const;
