/** What Node attaches to a failed system call (fs, net). */
interface SystemError {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
  address?: string;
  port?: number;
}

function isSystemError(e: unknown): e is SystemError {
  const x = e as Partial<SystemError> & { errno?: unknown };
  return typeof x === 'object' && x !== null && typeof x.code === 'string' && typeof x.errno === 'number' && typeof x.syscall === 'string';
}

/**
 * A failed system call as a sentence a person can act on, naming the path
 * or the address instead of Node's errno text ("EEXIST: file already
 * exists, open 'k.json'"); undefined when `e` is not a system error or its
 * code has no sentence here.
 */
export function plainSystemError(e: unknown): string | undefined {
  if (!isSystemError(e)) return undefined;
  if (e.syscall === 'listen' || e.syscall === 'bind') {
    const at = `port ${e.port} on ${e.address}`;
    if (e.code === 'EADDRINUSE') return `${at} is in use; choose another with --listen HOST:PORT`;
    if (e.code === 'EADDRNOTAVAIL') return `${e.address} is not an address of this machine; choose another with --listen HOST:PORT`;
    if (e.code === 'EACCES') return `${at} needs privileges this user lacks; choose a port above 1023 with --listen HOST:PORT`;
    return undefined;
  }
  const path = e.path;
  if (path === undefined) return undefined;
  switch (e.code) {
    case 'EEXIST':
      return e.syscall === 'mkdir'
        ? `${path} is a file, not a folder: give a folder`
        : `${path} already exists and is never overwritten: choose another name or move it away first`;
    case 'ENOENT':
      return `${path} does not exist`;
    case 'ENOTDIR':
      return `${path} cannot be used: part of it is a file, not a folder`;
    case 'EISDIR':
      return `${path} is a folder, not a file`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to use ${path}: choose a place this user can write, or change its permissions`;
    case 'EROFS':
      return `${path} is on a read-only file system: choose another place`;
    case 'ENOSPC':
      return `no space left where ${path} is: free some, or choose another place`;
    default:
      return undefined;
  }
}
