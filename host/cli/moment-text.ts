/** A moment as the CLI's tables and status lines show it: ISO 8601 in UTC, or '-' for none. */
export const momentText = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());
