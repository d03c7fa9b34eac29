import type { Filter, FilterOutput } from './filter.js';

/**
 * Filters applied in order, as ESPHome applies a sensor's `filters:` list:
 * every output of one filter is pushed into the next. A chain is itself a
 * Filter. `tick(time)` ticks each filter in order, pushing what an earlier
 * filter lets out through the later ones before they are ticked.
 */
export class FilterChain implements Filter {
  readonly filters: readonly Filter[];

  constructor(filters: readonly Filter[]) {
    this.filters = filters.slice();
  }

  push(value: number, time: number): FilterOutput[] {
    let carried: FilterOutput[] = [{ value, time }];
    for (let i = 0; i < this.filters.length && carried.length > 0; i++) {
      const next: FilterOutput[] = [];
      for (const o of carried) append(next, this.filters[i].push(o.value, o.time));
      carried = next;
    }
    return carried;
  }

  tick(time: number): FilterOutput[] {
    let carried: FilterOutput[] = [];
    for (const f of this.filters) {
      const next: FilterOutput[] = [];
      for (const o of carried) append(next, f.push(o.value, o.time));
      if (f.tick) append(next, f.tick(time));
      carried = next;
    }
    return carried;
  }
}

function append(to: FilterOutput[], from: FilterOutput[]): void {
  for (const o of from) to.push(o);
}
