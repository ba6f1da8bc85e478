import { defineOperation, textParam } from './operation.js';

/** DatabaseCreateStepsInput is what the steps of a database create need; recovery has no password. */
export interface DatabaseCreateStepsInput {
  user: string;
  name: string;
  password?: string;
  /** locked makes the new database user start locked (the account is suspended). */
  locked: boolean;
}

/**
 * databaseCreate makes the database, its user (of the same name) and the grant, then records it.
 * Recovery undoes a create cut short: the password was never kept.
 */
export const databaseCreate = defineOperation({
  name: 'database.create',
  recovery: 'undo',
  params: (input: DatabaseCreateStepsInput) => ({ name: input.name }),
  readParams: (raw) => ({ name: textParam(raw, 'name', '') }),
  steps: (ctx, input) => {
    const { databases } = ctx.host;
    const { user, name } = input;
    return [
      { name: 'database', run: () => databases.createDatabase(name), undo: () => databases.dropDatabase(name) },
      {
        name: 'database_user',
        run: () => {
          if (input.password === undefined)
            throw new Error('the password is not kept, so a database create cannot be resumed');
          return databases.createUser(name, input.password, input.locked);
        },
        undo: () => databases.dropUser(name),
      },
      { name: 'grant', run: () => databases.grantAll(name, name) },
      {
        name: 'store',
        run: () =>
          ctx.store.databases.insert({ name, account: user, dbUser: name, createdAt: ctx.now().toISOString() }),
      },
    ];
  },
  resume: async (ctx, user, { name }) => {
    if (await ctx.store.databases.get(name)) return null;
    return { user, name, locked: false };
  },
});
