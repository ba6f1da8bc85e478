import type { DatabaseRecord } from '../../../store/store.js';
import { ActionCard, Field, type FormState, OneTimeSecret, PasswordChoice, emptyForm } from '../../ui/form.js';
import { when } from '../../ui/kit.js';

/** DatabaseQuota is how many databases the account has and how many its plan allows (null: no limit). */
export interface DatabaseQuota {
  used: number;
  max: number | null;
}

/** DatabaseAction is one of the forms of a database's page. */
export type DatabaseAction = 'password' | 'delete';

/** databaseHref is the address of a database's page. */
export function databaseHref(name: string): string {
  return `/databases/${encodeURIComponent(name)}`;
}

function quotaText(q: DatabaseQuota): string {
  const have = `You have ${q.used} database${q.used === 1 ? '' : 's'}`;
  if (q.max === null) return `${have}; your plan sets no limit.`;
  if (q.used >= q.max) return `${have} of the ${q.max} your plan allows: delete one to create another.`;
  const left = q.max - q.used;
  return `${have} of the ${q.max} your plan allows: ${left} more can be created.`;
}

function ConnectHint() {
  return (
    <p class="hint">
      Connect from your site with host <code>localhost</code> (or <code>127.0.0.1</code>), the database user and its
      password.
    </p>
  );
}

const PASSWORD_LEGEND = 'Password of the database user';
const PASSWORD_HINT = '10-128 characters, not containing your user name.';

/** DatabasesPage lists the owner's databases with the create form, or says why none can be made. */
export function DatabasesPage(props: {
  user: string;
  databases: readonly DatabaseRecord[];
  quota: DatabaseQuota;
  available: boolean;
  csrf: string;
  form: FormState;
}) {
  const { quota, form } = props;
  const full = quota.max !== null && quota.used >= quota.max;
  return (
    <>
      <h1>Databases</h1>
      {props.available ? null : (
        <p class="flash error" role="alert">
          This server has no database server set up, so databases cannot be created or changed here. Ask your hosting
          provider.
        </p>
      )}
      <p role="status">{quotaText(quota)}</p>
      {props.databases.length === 0 ? null : (
        <div class="table-wrap">
          <table class="responsive">
            <thead>
              <tr>
                <th scope="col">Database</th>
                <th scope="col">Database user</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {props.databases.map((d) => (
                <tr>
                  <td data-label="Database">
                    <a href={databaseHref(d.name)} class="mono">
                      {d.name}
                    </a>
                  </td>
                  <td data-label="Database user" class="mono">
                    {d.dbUser}
                  </td>
                  <td data-label="Created">{when(d.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {props.available && !full ? (
        <ActionCard
          id="create"
          title="Create a database"
          action="/databases"
          csrf={props.csrf}
          form={form}
          submit="Create database"
        >
          <Field
            form={form}
            name="name"
            label="Name"
            required
            autocomplete="off"
            hint={`The database and its user are both called ${props.user}_NAME. Lower-case letters, digits and _.`}
          />
          <PasswordChoice form={form} legend={PASSWORD_LEGEND} hint={PASSWORD_HINT} />
          <ConnectHint />
        </ActionCard>
      ) : null}
    </>
  );
}

/** DatabasePage is one database with the forms to set its user's password and to delete it. */
export function DatabasePage(props: {
  database: DatabaseRecord;
  csrf: string;
  forms: Partial<Record<DatabaseAction, FormState>>;
}) {
  const d = props.database;
  const href = databaseHref(d.name);
  const form = (key: DatabaseAction) => props.forms[key] ?? emptyForm();
  return (
    <>
      <h1>
        Database <span class="mono">{d.name}</span>
      </h1>
      <section class="card" aria-label="Details">
        <dl class="facts">
          <dt>Database user</dt>
          <dd class="mono">{d.dbUser}</dd>
          <dt>Created</dt>
          <dd>{when(d.createdAt)}</dd>
        </dl>
        <ConnectHint />
      </section>
      <div class="grid">
        <ActionCard
          id="password"
          title="Set the database user's password"
          action={`${href}/password`}
          csrf={props.csrf}
          form={form('password')}
          submit="Set password"
        >
          <PasswordChoice form={form('password')} legend={PASSWORD_LEGEND} hint={PASSWORD_HINT} />
        </ActionCard>
        <ActionCard
          id="delete"
          title="Delete"
          action={`${href}/delete`}
          csrf={props.csrf}
          form={form('delete')}
          submit="Delete database"
          danger
        >
          <p>
            This drops <strong class="mono">{d.name}</strong>, every table in it and its database user. It cannot be
            undone.
          </p>
          <Field form={form('delete')} name="confirm" label={`Type ${d.name} to confirm`} autocomplete="off" required />
        </ActionCard>
      </div>
      <p>
        <a href="/databases">Back to the databases</a>
      </p>
    </>
  );
}

/** DatabasePasswordPage shows a database user's password once: after a create or a password set that generated it. */
export function DatabasePasswordPage(props: { title: string; database: string; dbUser: string; password: string }) {
  return (
    <>
      <h1>{props.title}</h1>
      <OneTimeSecret id="db-password" label={`Password of the database user ${props.dbUser}`} secret={props.password}>
        <dl class="facts">
          <dt>Database</dt>
          <dd class="mono">{props.database}</dd>
          <dt>Database user</dt>
          <dd class="mono">{props.dbUser}</dd>
          <dt>Host</dt>
          <dd class="mono">localhost (or 127.0.0.1)</dd>
        </dl>
        <p>
          <a href={databaseHref(props.database)}>I have stored it — go to the database</a>
        </p>
      </OneTimeSecret>
    </>
  );
}
