import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addAdmin, changeOwnAdminPassword, listAdmins } from '../../app/admins.js';
import { Csrf, Field, FormMessage, type FormState, emptyForm } from './form.js';
import { type PageDeps, adminOf, change, failedForm, formBody, redirectWith, sendPage, text, when } from './kit.js';

/** registerAdminPages serves the admin list, the add-admin form and the signed-in admin's password change. */
export function registerAdminPages(scope: FastifyInstance, deps: PageDeps): void {
  const { ctx } = deps;
  const show = async (
    req: FastifyRequest,
    reply: FastifyReply,
    forms: { add?: FormState; password?: FormState } = {},
    status = 200,
  ) => {
    const csrf = reply.generateCsrf();
    const admins = await listAdmins(ctx);
    const me = adminOf(req);
    const add = forms.add ?? emptyForm();
    const password = forms.password ?? emptyForm();
    const content = (
      <>
        <h1>Admins</h1>
        <div class="table-wrap">
          <table class="responsive">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Added</th>
                <th scope="col">Password changed</th>
              </tr>
            </thead>
            <tbody>
              {admins.map((a) => (
                <tr>
                  <td data-label="Name">
                    {a.name}
                    {a.name === me ? ' (you)' : ''}
                  </td>
                  <td data-label="Added">{when(a.createdAt)}</td>
                  <td data-label="Password changed">{when(a.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="grid">
          <section class="card" aria-labelledby="h-add-admin">
            <h2 id="h-add-admin">Add an admin</h2>
            <form class="stack" method="post" action="/admins">
              <Csrf token={csrf} />
              <FormMessage form={add} />
              <Field form={add} name="name" label="Name" required autocomplete="off" />
              <Field
                form={add}
                name="password"
                label="Password"
                type="password"
                secret
                required
                autocomplete="new-password"
                hint="10-128 characters."
              />
              <p>
                <button type="submit">Add admin</button>
              </p>
            </form>
          </section>
          <section class="card" aria-labelledby="h-my-password">
            <h2 id="h-my-password">Change my password</h2>
            <form class="stack" method="post" action="/admins/password">
              <Csrf token={csrf} />
              <FormMessage form={password} />
              <Field
                form={password}
                name="current"
                label="Current password"
                type="password"
                secret
                required
                autocomplete="current-password"
              />
              <Field
                form={password}
                name="new_password"
                label="New password"
                type="password"
                secret
                required
                autocomplete="new-password"
                hint="10-128 characters."
              />
              <p>
                <button type="submit">Change password</button>
              </p>
            </form>
          </section>
        </div>
      </>
    );
    return sendPage(deps, req, reply, 'Admins', content, status);
  };

  scope.get('/admins', async (req, reply) => show(req, reply));

  scope.post('/admins', async (req, reply) => {
    const body = formBody(req);
    const name = text(body, 'name').trim();
    try {
      await change(deps, req, 'admin.add', name || null, { name }, () => addAdmin(ctx, name, text(body, 'password')));
      return redirectWith(reply, '/admins', { kind: 'ok', text: `Added admin ${name}.` });
    } catch (err) {
      const failed = failedForm(err, { name }, ['name', 'password']);
      return show(req, reply, { add: failed.form }, failed.status);
    }
  });

  scope.post('/admins/password', async (req, reply) => {
    const body = formBody(req);
    const me = adminOf(req);
    try {
      await change(deps, req, 'admin.passwd', me, { name: me }, () =>
        changeOwnAdminPassword(ctx, me, text(body, 'current'), text(body, 'new_password')),
      );
      // The browser still holds the old Basic Auth password, so say what happens next instead of redirecting.
      const content = (
        <section class="card">
          <h1>Password changed</h1>
          <p>Your browser will ask you to sign in again: use the new password.</p>
          <p>
            <a href="/">Continue to the dashboard</a>
          </p>
        </section>
      );
      return sendPage(deps, req, reply, 'Password changed', content);
    } catch (err) {
      const failed = failedForm(err, {}, ['current', 'new_password'], { password: 'new_password' });
      return show(req, reply, { password: failed.form }, failed.status);
    }
  });
}
