import { join } from 'node:path';

/**
 * A folder for `name` under the cache systemd gives a service
 * (CacheDirectory= sets $CACHE_DIRECTORY; several are joined by ':', the
 * first is ours), or undefined outside such a service.
 */
export function serviceCacheFolder(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const first = env.CACHE_DIRECTORY?.split(':')[0];
  return first ? join(first, name) : undefined;
}
