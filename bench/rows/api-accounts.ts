import { apiRatioRow } from './api-ratio.js';

/** apiAccounts is one page of 100 accounts against the bare server: the store read and the serialisation. */
export const apiAccounts = apiRatioRow('api-accounts', '/?api=accounts&limit=100', 0.5);
