import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireDatabase } from '../../../app/account-database.js';
import { createDatabase } from '../../../app/create-database.js';
import { deleteDatabase } from '../../../app/delete-database.js';
import { listDatabases } from '../../../app/list-databases.js';
import { setDatabasePassword } from '../../../app/set-database-password.js';
import { type FormState, emptyForm } from '../../ui/form.js';
import { confirmTyped, failedForm, formBody, given, text } from '../../ui/kit.js';
import { PANEL_FLASH, type PanelDeps, ownerChange, ownerOf, sendPanelPage } from '../kit.js';
import { type DatabaseAction, DatabasePage, DatabasePasswordPage, DatabasesPage, databaseHref } from './views.js';

/** registerDatabasePages serves the owner's databases: the list and create form, each database's page and its actions. */
export function registerDatabasePages(scope: FastifyInstance, deps: PanelDeps): void {
  const { ctx } = deps;

  const showList = async (req: FastifyRequest, reply: FastifyReply, form: FormState = emptyForm(), status = 200) => {
    const { account } = ownerOf(req);
    const databases = await listDatabases(ctx, account.user);
    const plan = account.plan === null ? undefined : await ctx.store.plans.get(account.plan);
    const content = (
      <DatabasesPage
        user={account.user}
        databases={databases}
        quota={{ used: databases.length, max: plan?.maxDatabases ?? null }}
        available={ctx.host.databases.available}
        csrf={reply.formToken()}
        form={form}
      />
    );
    return sendPanelPage(deps, req, reply, 'Databases', content, status);
  };

  const showOne = async (
    req: FastifyRequest,
    reply: FastifyReply,
    forms: Partial<Record<DatabaseAction, FormState>> = {},
    status = 200,
  ) => {
    const { name } = req.params as { name: string };
    const database = await requireDatabase(ctx, ownerOf(req).account, name);
    const content = <DatabasePage database={database} csrf={reply.formToken()} forms={forms} />;
    return sendPanelPage(deps, req, reply, database.name, content, status);
  };

  const passwordOf = (body: Record<string, unknown>) =>
    text(body, 'password_mode') === 'set' ? text(body, 'password') : given(text(body, 'password'));

  scope.get('/databases', async (req, reply) => showList(req, reply));

  scope.post('/databases', async (req, reply) => {
    const body = formBody(req);
    const user = ownerOf(req).account.user;
    const name = text(body, 'name').trim();
    const password = passwordOf(body);
    try {
      const made = await ownerChange(
        deps,
        req,
        'database.create',
        { name, password_generated: password === undefined },
        () => createDatabase(ctx, { user, name, password }),
      );
      if (made.password === undefined) {
        PANEL_FLASH.set(reply, { kind: 'ok', text: `Created database ${made.database}.` });
        return reply.code(303).redirect(databaseHref(made.database));
      }
      const content = (
        <DatabasePasswordPage title={`Created database ${made.database}`} {...made} password={made.password} />
      );
      return sendPanelPage(deps, req, reply, 'Database created', content);
    } catch (err) {
      const failed = failedForm(err, { name, password_mode: text(body, 'password_mode') }, ['name', 'password']);
      return showList(req, reply, failed.form, failed.status);
    }
  });

  scope.get('/databases/:name', async (req, reply) => showOne(req, reply));

  scope.post('/databases/:name/password', async (req, reply) => {
    const { name } = req.params as { name: string };
    const body = formBody(req);
    const user = ownerOf(req).account.user;
    const password = passwordOf(body);
    try {
      const set = await ownerChange(
        deps,
        req,
        'database.password',
        { name, password_generated: password === undefined },
        () => setDatabasePassword(ctx, user, name, password),
      );
      if (set.password === undefined) {
        PANEL_FLASH.set(reply, { kind: 'ok', text: `Changed the password of ${set.dbUser}.` });
        return reply.code(303).redirect(databaseHref(set.database));
      }
      const content = (
        <DatabasePasswordPage title={`New password for ${set.dbUser}`} {...set} password={set.password} />
      );
      return sendPanelPage(deps, req, reply, 'Password set', content);
    } catch (err) {
      const failed = failedForm(err, { password_mode: text(body, 'password_mode') }, ['password']);
      return showOne(req, reply, { password: failed.form }, failed.status);
    }
  });

  scope.post('/databases/:name/delete', async (req, reply) => {
    const { name } = req.params as { name: string };
    const body = formBody(req);
    const user = ownerOf(req).account.user;
    try {
      const gone = await ownerChange(deps, req, 'database.delete', { name }, async () => {
        const database = await requireDatabase(ctx, ownerOf(req).account, name);
        confirmTyped(text(body, 'confirm'), database.name, 'the database name');
        return deleteDatabase(ctx, user, name);
      });
      PANEL_FLASH.set(reply, { kind: 'ok', text: `Deleted database ${gone.database}.` });
      return reply.code(303).redirect('/databases');
    } catch (err) {
      const failed = failedForm(err, {}, ['confirm']);
      return showOne(req, reply, { delete: failed.form }, failed.status);
    }
  });
}
