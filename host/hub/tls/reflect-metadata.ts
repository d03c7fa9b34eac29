/**
 * The three Reflect metadata calls tsyringe (a dependency of @peculiar/x509)
 * makes at load: it refuses to load without a Reflect polyfill, and none is a
 * dependency of this project. Installed only where no polyfill is present;
 * replace with `import 'reflect-metadata'` once that package is a dependency.
 * Metadata lives in a WeakMap per target and is inherited along prototypes,
 * as the Metadata Reflection API proposal specifies.
 */
type Target = object;
const metadata = new WeakMap<Target, Map<unknown, unknown>>();

function own(key: unknown, target: Target): unknown {
  return metadata.get(target)?.get(key);
}

const api = {
  defineMetadata(key: unknown, value: unknown, target: Target): void {
    let map = metadata.get(target);
    if (!map) metadata.set(target, (map = new Map()));
    map.set(key, value);
  },
  getOwnMetadata: own,
  getMetadata(key: unknown, target: Target): unknown {
    for (let t: Target | null = target; t; t = Object.getPrototypeOf(t) as Target | null) {
      const v = own(key, t);
      if (v !== undefined) return v;
    }
    return undefined;
  },
};

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== 'function') Object.assign(reflect, api);
