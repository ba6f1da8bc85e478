import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { changeOwnerPassword } from '../../../app/change-owner-password.js';
import { type FormState, emptyForm } from '../../ui/form.js';
import { failedForm, formBody, text } from '../../ui/kit.js';
import { PANEL_FLASH, type PanelDeps, ownerChange, ownerOf, sendPanelPage } from '../kit.js';
import { PasswordPage } from './views.js';

/** registerPasswordPages serves the owner's password change. */
export function registerPasswordPages(scope: FastifyInstance, deps: PanelDeps): void {
  const show = (req: FastifyRequest, reply: FastifyReply, form: FormState = emptyForm(), status = 200) => {
    const content = <PasswordPage csrf={reply.formToken()} form={form} hostMode={deps.hostMode} />;
    return sendPanelPage(deps, req, reply, 'Password', content, status);
  };

  scope.get('/password', async (req, reply) => show(req, reply));

  scope.post('/password', async (req, reply) => {
    const body = formBody(req);
    const { account, record } = ownerOf(req);
    const { user } = account;
    try {
      await ownerChange(deps, req, 'owner.password', {}, () =>
        deps.signIn.guard(user, req.clientIp, () =>
          changeOwnerPassword(deps.ctx, user, text(body, 'current'), text(body, 'new_password'), record.idHash),
        ),
      );
    } catch (err) {
      const failed = failedForm(err, {}, ['current', 'new_password'], { password: 'new_password' });
      return show(req, reply, failed.form, failed.status);
    }
    PANEL_FLASH.set(reply, {
      kind: 'ok',
      text: 'Your password is changed. Other browsers signed in as you are signed out.',
    });
    return reply.code(303).redirect('/password');
  });
}
