/**
 * Migration step 12, firmware images the hub publishes for its nodes
 * (host/store/firmware-images.ts): the manifest's fields (board, version,
 * size, sha256), the hub's Ed25519 signature over the manifest's
 * deterministic CBOR (firmware/ota/firmware-manifest.ts), the image whole
 * (a node fetches it in chunks, read with substr) and the id of the hub's
 * system.firmware.published event. A version names one image per board.
 * A released step never changes: a new need is a new step.
 */
export const FIRMWARE_SQL = `
  CREATE TABLE firmware_images (
    sha256       BLOB NOT NULL UNIQUE CHECK (length(sha256) = 32),
    board        TEXT NOT NULL,
    version      TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size >= 1),
    signature    BLOB NOT NULL CHECK (length(signature) = 64),
    bytes        BLOB NOT NULL CHECK (length(bytes) = size),
    published_at INTEGER NOT NULL,
    event        TEXT,
    UNIQUE (board, version)
  ) STRICT;
`;
