import { html } from 'htm/preact';
import { componentOf, type EventEntry, nodeOf } from './types.js';
import { clockTime } from './units.js';

/** One event as a table row; every string from a node renders as text. */
export function EventRow({ e, names }: { e: EventEntry; names: Map<string, string> }) {
  const node = nodeOf(e.source);
  return html`<tr data-type=${e.type}>
    <td class="time">${clockTime(e.time)}</td>
    <td><a href=${`#/node/${node}`}>${names.get(node) ?? node}</a>${componentOf(e.source) ? ` / ${componentOf(e.source)}` : ''}</td>
    <td>${e.type}</td>
    <td class="data">${JSON.stringify(e.data)}</td>
  </tr>`;
}
