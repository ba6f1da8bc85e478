import { listUsage } from '../../app/account-usage.js';
import { usageJson } from '../../presenters/usage.js';
import type { Endpoint } from './endpoints.js';
import { queryValue } from './request.js';

/** usageEndpoint is `GET /?api=usage[&user=NAME]`: disk, bandwidth and databases next to the plan's limits. */
export const usageEndpoint: Endpoint = {
  scope: 'accounts:read',
  run: async ({ ctx, query }) => {
    const usage = await listUsage(ctx, queryValue(query, 'user'));
    return { status: 200, body: { ok: true, usage: usage.map(usageJson) } };
  },
};
