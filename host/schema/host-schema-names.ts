/**
 * Documents only the hub reads, by short name → schema file in schemas/. The
 * node's own (firmware/schema/schema-names.ts) are loaded beside them; these
 * get no generated validator, the firmware never sees them.
 */
export const HOST_SCHEMA_IDS = {
  rule: 'https://fazt.dev/schemas/rule.schema.json',
  pulseChecks: 'https://fazt.dev/schemas/pulse-checks.schema.json',
} as const;

export type HostSchemaName = keyof typeof HOST_SCHEMA_IDS;

/** Their files, loaded after the firmware's (they may refer to defs). */
export const HOST_SCHEMA_FILES = ['rule', 'pulse-checks'] as const;
