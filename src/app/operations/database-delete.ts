import { defineOperation, textParam } from './operation.js';

/** DatabaseDeleteStepsInput names the database and its user. */
export interface DatabaseDeleteStepsInput {
  name: string;
  dbUser: string;
}

/**
 * databaseDelete drops the database user and the database, then the record. A dropped database
 * cannot come back, so nothing is undone; recovery finishes a delete cut short.
 */
export const databaseDelete = defineOperation({
  name: 'database.delete',
  recovery: 'finish',
  params: (input: DatabaseDeleteStepsInput) => ({ name: input.name, dbUser: input.dbUser }),
  readParams: (raw) => {
    const name = textParam(raw, 'name', '');
    return { name, dbUser: textParam(raw, 'dbUser', name) };
  },
  steps: (ctx, { name, dbUser }) => {
    const { databases } = ctx.host;
    return [
      { name: 'database_user', run: () => databases.dropUser(dbUser) },
      { name: 'database', run: () => databases.dropDatabase(name) },
      { name: 'store', run: () => ctx.store.databases.delete(name) },
    ];
  },
  resume: async (_ctx, _user, params) => params,
});
