import { apiRatioRow } from './api-ratio.js';

/** apiPing is the authenticated ping against the bare server: the fixed cost of every API call. */
export const apiPing = apiRatioRow('api-ping', '/?api=ping', 0.8, true);
