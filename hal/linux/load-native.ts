import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { IoError } from '../contracts/errors.js';

/**
 * Native packages load lazily, by name, the first time an io on a board that
 * needs them is opened (ARCHITECTURE: "native packages load lazily, only on
 * boards that need them"). All three are CommonJS, so a synchronous require
 * serves the synchronous ECMA-419 constructors.
 */
export type NativePackage = 'pigpio' | 'i2c-bus' | 'node-ble';

export interface NativeLoader {
  /** Throws as require() does when the package is absent or fails to load. */
  load(pkg: NativePackage): unknown;
  /** Where the package would load from, without running it; throws when it is absent. */
  resolve?(pkg: NativePackage): string;
}

/**
 * The production loader: require() relative to this file. `renames` maps a
 * package to another module name; tests point one at a name that does not
 * exist to see the "not installed" path run through the real require().
 */
export function requireLoader(renames: Partial<Record<NativePackage, string>> = {}): NativeLoader {
  const require = createRequire(import.meta.url);
  return {
    load: (pkg) => require(renames[pkg] ?? pkg) as unknown,
    resolve: (pkg) => require.resolve(renames[pkg] ?? pkg),
  };
}

const SELF = fileURLToPath(import.meta.url);

/** True when require() could not find the package itself (not one of its dependencies). */
function packageAbsent(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || (e as { code?: unknown }).code !== 'MODULE_NOT_FOUND') return false;
  const requirer = /Require stack:\n- (.*)/.exec(String((e as Error).message))?.[1];
  return requirer === undefined || requirer === SELF;
}

/**
 * Loads `pkg` for `purpose` on `boardId`, checks its shape with `looksRight`,
 * and turns every way that can fail into IoError('unsupported') naming the
 * package and the board. While the package loads, console.warn/console.error
 * are captured rather than printed (pigpio prints a boxed warning when its C
 * library cannot be loaded); `warned` decides whether what it printed means
 * it is unusable, and the text becomes the error's cause.
 */
export function loadNative<T>(
  loader: NativeLoader,
  pkg: NativePackage,
  where: { boardId: string; purpose: string },
  looksRight: (m: unknown) => m is T,
  warned: (text: string) => string | undefined = () => undefined,
): T {
  const context = `needed for ${where.purpose} on ${where.boardId}`;
  const printed: string[] = [];
  const { warn, error } = console;
  const capture = (...args: unknown[]) => {
    printed.push(args.map(String).join(' '));
  };
  let m: unknown;
  console.warn = capture;
  console.error = capture;
  try {
    m = loader.load(pkg);
  } catch (e) {
    // A dependency of pkg missing is a broken install, not an absent package.
    if (packageAbsent(e)) throw new IoError('unsupported', `${pkg} is not installed (${context}): npm install ${pkg}`, { cause: e });
    throw new IoError('unsupported', `${pkg} failed to load (${context}): ${(e as Error).message.split('\n')[0]}`, { cause: e });
  } finally {
    console.warn = warn;
    console.error = error;
  }
  const text = printed.join('\n');
  const why = text ? warned(text) : undefined;
  if (why) throw new IoError('unsupported', `${pkg} is installed but unusable here (${context}): ${why}`, { cause: text });
  if (!looksRight(m))
    throw new IoError('unsupported', `${pkg} loaded but lacks the API the linux backend uses (${context}); expected the version in hal/linux/native-types.ts`);
  return m;
}
