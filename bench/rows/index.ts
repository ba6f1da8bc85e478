import type { Row } from '../harness.js';
import { apiAccounts } from './api-accounts.js';
import { apiPing } from './api-ping.js';
import { host } from './host.js';
import { https } from './https.js';
import { memory } from './memory.js';
import { php } from './php.js';
import { sandboxCreates } from './sandbox-creates.js';
import { traffic } from './traffic.js';

/** ROWS are the benchmark's rows in table order; a new row is a module added here. */
export const ROWS: readonly Row[] = [apiPing, apiAccounts, sandboxCreates, memory, host, php, traffic, https];
