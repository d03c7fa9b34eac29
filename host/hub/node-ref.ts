import { isNodeId } from '../../firmware/identity/node-id.js';
import { HttpError } from './http-error.js';

/**
 * A node as a query names it (`?node=`): a node id as it is, or the name
 * people see, which must belong to exactly one enrolled node. An unknown or
 * ambiguous name is a bad query that says which nodes it could mean.
 * `list` gives the nodes (Cartridge.nodeNames, their rows only), called only
 * for a name: an id resolves without a read.
 */
export function resolveNodeRef(ref: string, list: () => readonly { id: string; name: string | null }[]): string {
  if (isNodeId(ref)) return ref;
  const nodes = list();
  const named = nodes.filter((n) => n.name === ref);
  if (named.length === 1) return named[0].id;
  if (named.length > 1)
    throw new HttpError(
      400,
      'bad-query',
      `node '${ref}' is ambiguous: ${named.length} nodes have that name (${named.map((n) => n.id).join(', ')}); give the node id`,
    );
  const names = [...new Set(nodes.map((n) => n.name).filter((n): n is string => n !== null))].sort();
  throw new HttpError(
    400,
    'bad-query',
    `node '${ref}' is neither a node id nor the name of a node${names.length ? ` (names: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''})` : ''}`,
  );
}
