import { DomainError } from '../domain/errors.js';
import { ACCOUNT_STATUSES, type AccountStatus } from '../domain/types.js';
import type { AccountFilter } from '../store/store.js';
import { decodeCursor } from './list-accounts.js';

/** AccountQueryInput is an account search as a door receives it: text, a field absent when not given. */
export interface AccountQueryInput {
  status?: string;
  plan?: string;
  q?: string;
  limit?: string;
  /** after is the `next` cursor of the page before. */
  after?: string;
}

/** MAX_ACCOUNT_PAGE is the most accounts one page may hold. */
export const MAX_ACCOUNT_PAGE = 1000;

function isStatus(value: string): value is AccountStatus {
  return (ACCOUNT_STATUSES as readonly string[]).includes(value);
}

/** parseAccountQuery checks an account search and turns it into a store filter; `defaultLimit` is the page size when none is given. */
export function parseAccountQuery(input: AccountQueryInput, defaultLimit = 100): AccountFilter {
  const filter: AccountFilter = { limit: defaultLimit, plan: input.plan, q: input.q };
  if (input.status !== undefined) {
    if (!isStatus(input.status)) {
      throw new DomainError('invalid_parameter', `status must be one of ${ACCOUNT_STATUSES.join(', ')}`, {
        param: 'status',
      });
    }
    filter.status = input.status;
  }
  if (input.limit !== undefined) {
    const limit = Number(input.limit);
    if (!/^\d{1,4}$/.test(input.limit) || limit < 1 || limit > MAX_ACCOUNT_PAGE) {
      throw new DomainError('invalid_parameter', `limit must be a whole number from 1 to ${MAX_ACCOUNT_PAGE}`, {
        param: 'limit',
      });
    }
    filter.limit = limit;
  }
  if (input.after !== undefined) {
    const after = decodeCursor(input.after);
    if (after === null) {
      throw new DomainError('invalid_parameter', 'after must be a `next` cursor from an earlier page', {
        param: 'after',
      });
    }
    filter.after = after;
  }
  return filter;
}
