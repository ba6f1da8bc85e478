import { accountCreate } from './account-create.js';
import { accountDomain } from './account-domain.js';
import { accountPlan } from './account-plan.js';
import { accountSuspend } from './account-suspend.js';
import { accountTerminate } from './account-terminate.js';
import { accountUnsuspend } from './account-unsuspend.js';
import { certificateInstall } from './certificate-install.js';
import { databaseCreate } from './database-create.js';
import { databaseDelete } from './database-delete.js';
import type { JournalParams, Operation } from './operation.js';

/**
 * OPERATIONS is every journalled operation, by the name the journal records: start-up recovery
 * looks an unfinished operation up here. A new operation gets a file in this folder and a line here.
 */
export const OPERATIONS: ReadonlyMap<string, Operation<JournalParams, unknown>> = new Map(
  [
    accountCreate,
    accountSuspend,
    accountUnsuspend,
    accountPlan,
    accountDomain,
    accountTerminate,
    databaseCreate,
    databaseDelete,
    certificateInstall,
  ].map((operation) => [operation.name, operation]),
);
