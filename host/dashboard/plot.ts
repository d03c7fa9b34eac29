import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { scaled, unitLabel } from './units.js';

/** One bucket from /v1/series: [start, min, mean, max, count]. */
export type Bucket = [number, number, number, number, number];

function dark(): boolean {
  return window.matchMedia('(prefers-color-scheme: dark)').matches;
}

/** A reading's history: the mean as a line, min and max as thin lines around it (uPlot, canvas). */
export function Plot({ buckets, unit, name, from, to }: { buckets: Bucket[]; unit: string | undefined; name: string; from: number; to: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = buckets.map((b) => b[0] / 1000);
    const ys = (i: number) => buckets.map((b) => scaled(b[i], unit));
    const ink = dark() ? '#ccd' : '#334';
    const axis = { stroke: ink, grid: { stroke: dark() ? '#333' : '#e4e4e8' }, ticks: { stroke: ink } };
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: 220,
        scales: { x: { time: true, min: from / 1000, max: to / 1000 } },
        axes: [axis, { ...axis, label: unitLabel(unit) }],
        legend: { show: false },
        series: [
          {},
          { label: 'min', stroke: '#7aa7d8', width: 1 },
          { label: `${name} (mean)`, stroke: '#2e7dd7', width: 2 },
          { label: 'max', stroke: '#d8897a', width: 1 },
        ],
      },
      [xs, ys(1), ys(2), ys(3)],
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(280, el.clientWidth), height: 220 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [buckets, unit, name, from, to]);
  return html`<div class="plot" ref=${box} data-reading=${name}></div>`;
}
