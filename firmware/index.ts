/**
 * The portable core's public surface: what the node app and the Moddable
 * build import. Everything here runs on XS and Node unchanged.
 */
export { encodeCbor } from './codec/cbor-encode.js';
export { decodeCbor } from './codec/cbor-decode.js';
export { parseJson, stringifyJson, toJsonValue, fromJsonValue } from './codec/json-form.js';
export type { Value, ValueMap } from './codec/value.js';
export { nobleCrypto } from './crypto/noble-crypto.js';
export type { CryptoProvider } from './crypto/crypto-provider.js';
export { identityFromSecretKey, generateIdentity, nodeIdFromPublicKey } from './identity/node-id.js';
export { EventLog } from './event/event-log.js';
export { entryHash, GENESIS_PREV, type EventEntry } from './event/envelope.js';
export { toCloudEvent } from './event/cloudevents.js';
export { toSenml, type Reading } from './event/reading.js';
export { verifyChain } from './event/verify-chain.js';
export { createBatch, batchToValue, batchFromValue, type Batch } from './batch/batch.js';
export { verifyBatch } from './batch/verify-batch.js';
export { EventBus } from './bus/bus.js';
export { checkDocument, validateDocument } from './schema/validate.js';
export { CodecError, SchemaError, VerifyError } from './errors.js';
export { FaztError, BoardError } from '../hal/contracts/errors.js';
