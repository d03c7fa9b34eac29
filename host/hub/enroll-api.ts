import { toHex } from '../../firmware/codec/text-encodings.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import type { Cartridge } from '../store/cartridge.js';
import { parseJsonBody } from './decode-uplink.js';
import { checkEnrollProof, parseEnrollRequest } from './enroll-request.js';
import type { FailureLimit } from './failure-limit.js';
import { toHttpError } from './http-error.js';
import type { HubLog } from './hub-log.js';
import { readBody } from './read-body.js';
import { sendJson } from './reply.js';
import { type Handler, type Routes, requireType, route } from './route.js';

const ENROLL_BODY_LIMIT = 16 * 1024;

/**
 * POST /v1/enroll (open): a node spends an invite and proves it holds its
 * key; the answer names the hub's identity. Refused guesses count against
 * the caller's address (`failures`). The enrolment and system.node.enrolled
 * on the hub's chain (id, key, name, board; never the invite) are one
 * commit, so paired hubs that replicate the chain learn of the node too.
 */
export function enrollRoutes(ctx: {
  cartridge: Cartridge;
  hubKey: NodeIdentity;
  hubLog: () => HubLog;
  crypto: CryptoProvider;
  failures: { enroll: FailureLimit };
}): Routes {
  const enroll: Handler = async (req, res) => {
    const from = req.socket.remoteAddress ?? 'unknown';
    ctx.failures.enroll.check(from);
    requireType(req, ['application/json']);
    const request = parseEnrollRequest(parseJsonBody(await readBody(req, ENROLL_BODY_LIMIT)));
    try {
      checkEnrollProof(request, ctx.crypto);
      const log = ctx.hubLog();
      const { node } = log.atomically(() =>
        ctx.cartridge.enroll({ token: request.token, publicKey: request.publicKey, name: request.name, board: request.board }, (r) => {
          const data: ValueMap = { node: r.node, publicKey: toHex(request.publicKey), existed: r.existed };
          if (request.name !== undefined) data.name = request.name;
          if (request.board !== undefined) data.board = request.board;
          log.append('system.node.enrolled', 'enrol', data);
        }),
      );
      sendJson(res, 200, { node, hub: { id: ctx.hubKey.id, publicKey: toHex(ctx.hubKey.publicKey) } });
    } catch (e) {
      // A refused invite or proof is a guess at an invite: it counts against the address (a malformed body does not).
      if (toHttpError(e).status < 500) ctx.failures.enroll.fail(from);
      throw e;
    }
  };
  return { '/v1/enroll': { POST: route('open', enroll) } };
}
