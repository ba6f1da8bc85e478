import { changeAccountDomain } from '../../app/change-account-domain.js';
import { accountJson } from '../../presenters/account.js';
import type { Endpoint } from './endpoints.js';
import { accountUser } from './request.js';

/** domainAction is `POST /?api=account&action=domain` `{"domain"}`: the account's new primary domain. */
export const domainAction: Endpoint = {
  scope: 'accounts:write',
  body: { fields: { user: 'string', domain: 'string' }, required: ['domain'] },
  run: async ({ ctx, query, body }) => {
    const r = await changeAccountDomain(ctx, accountUser(query, body), body.domain as string);
    return { status: 200, body: { ok: true, account: accountJson(r.account), changed: r.changed } };
  },
};
