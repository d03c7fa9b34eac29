import { useEffect, useRef, useState } from 'preact/hooks';
import type { EventEntry } from './types.js';

type Listener = (e: EventEntry) => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;
let connected = false;
const stateListeners = new Set<(up: boolean) => void>();

/** One EventSource on /v1/stream for the whole page, opened while anyone listens. */
function open(): void {
  if (source) return;
  source = new EventSource('/v1/stream');
  source.addEventListener('fazt', (m) => {
    const e = JSON.parse((m as MessageEvent<string>).data) as EventEntry;
    for (const fn of listeners) fn(e);
  });
  source.onopen = () => setConnected(true);
  source.onerror = () => setConnected(false);
}

function setConnected(up: boolean): void {
  connected = up;
  for (const fn of stateListeners) fn(up);
}

/** The stream stays open once a page has listened: a page change must not lose the events in between. */
function subscribe(fn: Listener): () => void {
  listeners.add(fn);
  open();
  return () => listeners.delete(fn);
}

/** Every stored event as it arrives, while the component is shown; `fn` may change on every render. */
export function useLive(fn: Listener): void {
  const current = useRef(fn);
  current.current = fn;
  useEffect(() => subscribe((e) => current.current(e)), []);
}

/** Whether the live stream is connected. */
export function useLiveState(): boolean {
  const [up, setUp] = useState(connected);
  useEffect(() => {
    stateListeners.add(setUp);
    return () => void stateListeners.delete(setUp);
  }, []);
  return up;
}
