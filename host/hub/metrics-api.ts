import type { HubMetrics } from '../pulse/hub-metrics.js';
import { type Handler, type Routes, route } from './route.js';

/** GET /metrics in Prometheus' text format (scope metrics, read or admin: a scraper's token reads this and nothing else). */
export function metricsRoutes(ctx: { metrics: HubMetrics }): Routes {
  const metrics: Handler = async (_req, res) => {
    const { text, contentType } = await ctx.metrics.scrape();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(text);
  };
  return { '/metrics': { GET: route('metrics', metrics) } };
}
