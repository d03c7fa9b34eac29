import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diskFullError } from '../../host/store/disk-full.js';
import { StoreError } from '../../host/store/store-error.js';
import { tempDir } from '../hub/helpers.js';

const sqliteError = (code: string) => Object.assign(new Error('database or disk is full'), { code });

describe('diskFullError', () => {
  const tmp = tempDir('fazt-disk-full-');
  const file = join(tmp.dir, 'fazt.db');

  it('SQLITE_FULL is a full store, said with the file and what to do', () => {
    const e = diskFullError(sqliteError('SQLITE_FULL'), file, 'cannot open cartridge');
    assert.ok(e instanceof StoreError);
    assert.equal(e.code, 'store-full');
    assert.match(e.message, new RegExp(`^cannot open cartridge ${file}: the disk under it is full \\(\\d+ bytes free\\)\\. Free space on it and start again$`));
    assert.equal((e.cause as { code: string }).code, 'SQLITE_FULL');
  });

  it('an I/O error on a disk with room is not a full disk; nor is any other error', () => {
    assert.equal(diskFullError(sqliteError('SQLITE_IOERR_SHMSIZE'), file, 'x'), undefined);
    assert.equal(diskFullError(sqliteError('SQLITE_CORRUPT'), file, 'x'), undefined);
    assert.equal(diskFullError(new Error('no code'), file, 'x'), undefined);
    assert.equal(diskFullError(undefined, file, 'x'), undefined);
    tmp.cleanup();
  });
});
