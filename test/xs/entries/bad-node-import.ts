// Deliberately broken: proves the XS bundle refuses Node built-ins (test/portability.test.ts).
import { readFileSync } from 'node:fs';
export const x = readFileSync;
