import { readFileSync } from 'node:fs';

/** The names in an /etc/passwd or /etc/group text (the first field of each line). */
export function accountNames(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((line) => line.split(':')[0].trim())
      .filter((name) => name && !name.startsWith('#')),
  );
}

/** The local users and groups (useradd and groupadd write these files). */
export function readAccounts(etc = '/etc'): { users: Set<string>; groups: Set<string> } {
  const read = (file: string) => {
    try {
      return readFileSync(`${etc}/${file}`, 'utf8');
    } catch {
      return '';
    }
  };
  return { users: accountNames(read('passwd')), groups: accountNames(read('group')) };
}
