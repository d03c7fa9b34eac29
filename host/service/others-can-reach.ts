import { statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Why a user with no rights of its own (the service's) cannot use `file`,
 * from the "others" permission bits: the first folder above it that others
 * may not enter, or the file itself when others may not read it (`exec`:
 * run it). Undefined when they can. Debian 12 makes home folders 0700, so a
 * checkout under /home is the usual answer.
 */
export function othersCannotReach(file: string, exec: boolean): string | undefined {
  const need = exec ? 0o001 : 0o004;
  if ((statSync(file).mode & need) !== need) return `${file} is not ${exec ? 'executable' : 'readable'} by other users`;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return `other users cannot enter ${dir}`;
    if (dir === dirname(dir)) return undefined;
  }
}
