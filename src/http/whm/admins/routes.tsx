import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addAdmin, changeOwnAdminPassword, listAdmins } from '../../../app/admins.js';
import { type FormState, emptyForm } from '../form.js';
import { type PageDeps, adminOf, change, failedForm, formBody, redirectWith, sendPage, text } from '../kit.js';
import { AdminsPage, PasswordChangedPage } from './views.js';

/** registerAdminPages serves the admin list, the add-admin form and the signed-in admin's password change. */
export function registerAdminPages(scope: FastifyInstance, deps: PageDeps): void {
  const { ctx } = deps;
  const show = async (
    req: FastifyRequest,
    reply: FastifyReply,
    forms: { add?: FormState; password?: FormState } = {},
    status = 200,
  ) => {
    const csrf = reply.formToken();
    const admins = await listAdmins(ctx);
    const me = adminOf(req);
    const content = (
      <AdminsPage
        admins={admins}
        me={me}
        csrf={csrf}
        add={forms.add ?? emptyForm()}
        password={forms.password ?? emptyForm()}
      />
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
      const content = <PasswordChangedPage />;
      return sendPage(deps, req, reply, 'Password changed', content);
    } catch (err) {
      const failed = failedForm(err, {}, ['current', 'new_password'], { password: 'new_password' });
      return show(req, reply, { password: failed.form }, failed.status);
    }
  });
}
