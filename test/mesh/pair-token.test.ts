import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inviteToMnemonic } from '../../firmware/mnemonic/invite-words.js';
import { pairInviteFromToken, pairInviteFromWords, pairInviteToToken, pairInviteToWords } from '../../host/mesh/pair-token.js';

const invite = { secret: new Uint8Array(16).fill(0xa5), fingerprint: new Uint8Array(16).fill(0x3c) };

describe('the forms of a pairing invite', () => {
  it('token and words carry the same secret and fingerprint; the token the URL too', () => {
    const token = pairInviteToToken({ ...invite, url: 'http://10.0.0.2:7070' });
    assert.match(token, /^fzp1[A-Za-z0-9_-]{43}@http:\/\/10\.0\.0\.2:7070$/);
    assert.deepEqual(pairInviteFromToken(token), { ...invite, url: 'http://10.0.0.2:7070' });
    assert.deepEqual(pairInviteFromToken(pairInviteToToken(invite)), invite);
    const words = pairInviteToWords(invite);
    assert.equal(words.length, 24);
    assert.deepEqual(pairInviteFromWords(words.join(' ')), invite);
  });

  it('refuses what is not a pairing invite, saying what it is', () => {
    assert.throws(() => pairInviteFromToken('fzi' + 'a'.repeat(32)), { code: 'pair-invite', message: /not a pairing invite token/ });
    assert.throws(() => pairInviteFromToken(`${pairInviteToToken(invite)}@ftp://x`), { code: 'pair-invite' });
    const nodeInvite = inviteToMnemonic(`fzi${'b'.repeat(32)}`).join(' ');
    assert.throws(() => pairInviteFromWords(nodeInvite), { code: 'pair-invite', message: /node enrolment invite/ });
    assert.throws(() => pairInviteFromWords(pairInviteToWords(invite).slice(0, 12).join(' ')), /checksum|12|words/);
  });
});
