/**
 * Migration step 17, BTHome devices on the hub (host/store/ble-devices.ts,
 * host/ble/): each configured device by MAC (upper case, colons), its name,
 * its 16-byte AES-CCM key or none (plaintext), when it was added and
 * removed, and the last encrypted counter the hub accepted from it, kept so
 * a restart does not reopen replays. reset_pending is the owner's explicit
 * "accept the next counter whatever it is, once" (`fazt ble accept-reset`).
 * A released step never changes: a new need is a new step.
 */
export const BLE_SQL = `
  CREATE TABLE ble_devices (
    mac           TEXT PRIMARY KEY CHECK (length(mac) = 17 AND mac = upper(mac)),
    name          TEXT,
    key           BLOB CHECK (key IS NULL OR length(key) = 16),
    added_at      INTEGER NOT NULL,
    removed_at    INTEGER,
    last_counter  INTEGER CHECK (last_counter IS NULL OR last_counter BETWEEN 0 AND 4294967295),
    reset_pending INTEGER NOT NULL DEFAULT 0 CHECK (reset_pending IN (0, 1))
  ) STRICT;
`;
