/** The documents that cross a boundary, by short name → schema file in schemas/. */
export const SCHEMA_IDS = {
  event: 'https://fazt.dev/schemas/event.schema.json',
  reading: 'https://fazt.dev/schemas/reading.schema.json',
  board: 'https://fazt.dev/schemas/board.schema.json',
  nodeConfig: 'https://fazt.dev/schemas/node-config.schema.json',
  uplinkBatch: 'https://fazt.dev/schemas/uplink-batch.schema.json',
  scenario: 'https://fazt.dev/schemas/scenario.schema.json',
  eventData: 'https://fazt.dev/schemas/event-data.schema.json',
} as const;

export type SchemaName = keyof typeof SCHEMA_IDS;

/** The subset the node itself validates; board files are checked on the host only. */
export const FIRMWARE_SCHEMAS = ['event', 'reading', 'nodeConfig', 'uplinkBatch'] as const;
export type FirmwareSchemaName = (typeof FIRMWARE_SCHEMAS)[number];

/** The files loaded into ajv (defs first: the others refer to it). */
export const SCHEMA_FILES = ['defs', 'reading', 'event', 'uplink-batch', 'node-config', 'board', 'scenario', 'event-data'] as const;

/**
 * ajv options shared by the host's runtime validators and the generator of
 * the firmware's standalone ones, so both judge a document the same way.
 * allErrors is off: the first error is the one reported, and the node's
 * validators stay small.
 */
export const AJV_OPTIONS = { strict: true, strictRequired: false, allowUnionTypes: true, allErrors: false } as const;
