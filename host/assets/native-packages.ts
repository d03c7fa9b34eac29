import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { NativeLoader, NativePackage } from '../../hal/linux/load-native.js';
import { isSingleExecutable, listShippedDir, shippedDirOnDisk } from './shipped-files.js';

/** Where scripts/sea-assets.ts embeds the linux backend's packages and what they require. */
const NATIVE_TREE = 'native';

/**
 * The linux backend's loader inside the single executable: the embedded
 * packages (pigpio, i2c-bus, node-ble, as built where the executable was
 * built) are extracted once to the private cache, under a name made of
 * their hash, and required from there, where their addons load from disk
 * as they would from node_modules. Undefined outside the executable: the
 * backend then requires them from node_modules. Nothing is extracted before
 * a package is first loaded.
 */
export function embeddedNativeLoader(): NativeLoader | undefined {
  if (!isSingleExecutable()) return undefined;
  let req: NodeJS.Require | undefined;
  const required = (pkg: NativePackage): NodeJS.Require => {
    if (!listShippedDir(`${NATIVE_TREE}/node_modules/${pkg}`).includes('package.json'))
      throw new Error(`${pkg} is not in this single executable (it embeds the packages built for its architecture where it was built: build it on the Pi)`);
    req ??= createRequire(join(shippedDirOnDisk(NATIVE_TREE), 'node_modules', '.fazt-loader.js'));
    return req;
  };
  return { load: (pkg) => required(pkg)(pkg) as unknown, resolve: (pkg) => required(pkg).resolve(pkg) };
}
