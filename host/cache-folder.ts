import { join } from 'node:path';

/**
 * The cache systemd gives a service (CacheDirectory= sets $CACHE_DIRECTORY;
 * several are joined by ':', the first is ours), or undefined outside one.
 */
export function serviceCacheRoot(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.CACHE_DIRECTORY?.split(':')[0] || undefined;
}

/** A folder for `name` under the service's cache, or undefined outside a service. */
export function serviceCacheFolder(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const root = serviceCacheRoot(env);
  return root ? join(root, name) : undefined;
}
