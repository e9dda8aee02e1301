import type Hapi from '@hapi/hapi';
import Joi from 'joi';
import type { ForgeMetrics } from './forge-metrics.ts';

/** Where Prometheus looks by default: the server's root, not the versioned API. */
export const METRICS_PATH = '/metrics';

/**
 * GET /metrics in Prometheus' text format. A plain route, not an operation of the catalogue: its
 * answer is not JSON, and it is no tool for an agent; for the same reason it is not in
 * spec/openapi.json (which lists the catalogue's routes) and README.md describes it instead. It
 * sits behind the API token like every route but health.
 */
export function mountMetrics(server: Hapi.Server, metrics: ForgeMetrics): void {
  server.route({
    method: 'GET',
    path: METRICS_PATH,
    options: {
      description: 'Prometheus metrics',
      validate: { query: Joi.object({}) },
    },
    handler: async (_request, h) => h.response(await metrics.scrape()).type(metrics.contentType),
  });
}
