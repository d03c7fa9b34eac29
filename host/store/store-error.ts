import { FaztError } from '../../hal/contracts/errors.js';

/**
 * What the cartridge refuses for reasons of its own (not the batch's bytes,
 * schema or signature, which keep their CodecError, SchemaError and
 * VerifyError): an unknown node, an invite that cannot be used, a cartridge
 * this program cannot open, a backup target that already exists.
 */
export class StoreError extends FaztError {
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}

export type StoreErrorCode =
  | 'unknown-node' // the batch's node never enrolled here
  | 'node-revoked' // the owner revoked the node's key (lost or stolen)
  | 'invite-unknown' // no invite has this token
  | 'invite-expired' // the invite's time ran out
  | 'invite-used' // the invite was already spent
  | 'not-a-cartridge' // the file is some other SQLite database
  | 'cartridge-newer' // written by a newer fazt: more migration steps than this one knows
  | 'store-full' // the disk under the cartridge is full
  | 'exists' // a backup would overwrite a file
  | 'live' // a restore would replace the cartridge a running hub holds open
  | 'bad-query' // an events query the cartridge cannot answer (bad cursor, limit, pattern)
  | 'unknown-output' // a command for an output the node did not declare
  | 'unsupported-op' // a command its output's driver cannot carry out
  | 'version-exists' // a firmware version already names another image for the board
  | 'unknown-image' // no firmware image has this hash or version
  | 'not-offered' // a node asked for chunks of an image the hub has not offered it
  | 'damaged' // a stored row is not what its hash says (a migration refuses to carry it over)
  | 'sync-failed' // the disk failed to sync the WAL: nothing is acknowledged until a restart (host/store/wal-sync.ts)
  | 'io'; // the file system said no
