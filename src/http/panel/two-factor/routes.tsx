import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  confirmTwoFactorOn,
  pendingTwoFactorSetup,
  renewRecoveryCodes,
  startTwoFactor,
  turnTwoFactorOff,
  twoFactorStatus,
} from '../../../app/owner-two-factor.js';
import { emptyForm } from '../../ui/form.js';
import { failedForm, formBody, text } from '../../ui/kit.js';
import { PANEL_FLASH, type PanelDeps, ownerChange, ownerOf, sendPanelPage } from '../kit.js';
import { RecoveryCodesPage, type TwoFactorForms, TwoFactorPage, TwoFactorSetupPage } from './views.js';

/** registerTwoFactorPages serves two-factor sign-in: its state, turning it on with a first code, off, and new recovery codes. */
export function registerTwoFactorPages(scope: FastifyInstance, deps: PanelDeps): void {
  const { ctx } = deps;
  const show = async (req: FastifyRequest, reply: FastifyReply, forms: TwoFactorForms = {}, status = 200) => {
    const status2 = await twoFactorStatus(ctx, ownerOf(req).account.user);
    const content = <TwoFactorPage status={status2} csrf={reply.formToken()} forms={forms} />;
    return sendPanelPage(deps, req, reply, 'Two-factor sign-in', content, status);
  };
  const codes = (req: FastifyRequest, reply: FastifyReply, title: string, recoveryCodes: string[]) =>
    sendPanelPage(deps, req, reply, title, <RecoveryCodesPage title={title} codes={recoveryCodes} />);

  scope.get('/two-factor', async (req, reply) => show(req, reply));

  // The secret is shown on the answer to this POST alone, never on a page a GET could fetch again.
  scope.post('/two-factor/start', async (req, reply) => {
    const user = ownerOf(req).account.user;
    try {
      const setup = await ownerChange(deps, req, 'owner.two_factor_start', {}, () => startTwoFactor(ctx, user));
      const content = <TwoFactorSetupPage setup={setup} csrf={reply.formToken()} form={emptyForm()} />;
      return sendPanelPage(deps, req, reply, 'Set up two-factor sign-in', content);
    } catch (err) {
      const failed = failedForm(err, {}, []);
      return show(req, reply, { start: failed.form }, failed.status);
    }
  });

  scope.post('/two-factor/confirm', async (req, reply) => {
    const user = ownerOf(req).account.user;
    try {
      const { recoveryCodes } = await ownerChange(deps, req, 'owner.two_factor_on', {}, () =>
        confirmTwoFactorOn(ctx, user, text(formBody(req), 'code')),
      );
      return codes(req, reply, 'Two-factor sign-in is on', recoveryCodes);
    } catch (err) {
      const failed = failedForm(err, {}, ['code']);
      // Until a first code confirms it, the waiting secret may be shown again, for another try.
      const setup = await pendingTwoFactorSetup(ctx, user);
      if (setup === null) return show(req, reply, { start: failed.form }, failed.status);
      const content = <TwoFactorSetupPage setup={setup} csrf={reply.formToken()} form={failed.form} />;
      return sendPanelPage(deps, req, reply, 'Set up two-factor sign-in', content, failed.status);
    }
  });

  scope.post('/two-factor/off', async (req, reply) => {
    const user = ownerOf(req).account.user;
    try {
      await ownerChange(deps, req, 'owner.two_factor_off', {}, () =>
        deps.signIn.guard(user, req.clientIp, () => turnTwoFactorOff(ctx, user, text(formBody(req), 'code'))),
      );
    } catch (err) {
      const failed = failedForm(err, {}, ['code']);
      return show(req, reply, { off: failed.form }, failed.status);
    }
    PANEL_FLASH.set(reply, { kind: 'ok', text: 'Two-factor sign-in is off.' });
    return reply.code(303).redirect('/two-factor');
  });

  scope.post('/two-factor/recovery-codes', async (req, reply) => {
    const user = ownerOf(req).account.user;
    try {
      const { recoveryCodes } = await ownerChange(deps, req, 'owner.recovery_codes', {}, () =>
        deps.signIn.guard(user, req.clientIp, () => renewRecoveryCodes(ctx, user, text(formBody(req), 'code'))),
      );
      return codes(req, reply, 'New recovery codes', recoveryCodes);
    } catch (err) {
      const failed = failedForm(err, {}, ['code']);
      return show(req, reply, { renew: failed.form }, failed.status);
    }
  });
}
