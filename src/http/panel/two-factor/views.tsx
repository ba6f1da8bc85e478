import type { TwoFactorStatus } from '../../../app/owner-two-factor.js';
import type { TwoFactorSetup } from '../../../app/two-factor.js';
import { ActionCard, Field, type FormState, emptyForm } from '../../ui/form.js';
import { when } from '../../ui/kit.js';

/** TwoFactorAction is one of the forms of the two-factor pages. */
export type TwoFactorAction = 'start' | 'confirm' | 'off' | 'renew';

/** TwoFactorForms are the forms of the two-factor pages, each re-shown with its own errors. */
export type TwoFactorForms = Partial<Record<TwoFactorAction, FormState>>;

/** CodeField is the field for a two-factor code (or a recovery code, where one is accepted). */
export function CodeField(props: { form: FormState; hint?: string }) {
  return (
    <Field
      form={props.form}
      name="code"
      label="Code"
      required
      secret
      autocomplete="one-time-code"
      inputmode="numeric"
      hint={props.hint}
    />
  );
}

/** TwoFactorPage says whether two-factor sign-in is on, with the forms to turn it on or off and renew recovery codes. */
export function TwoFactorPage(props: { status: TwoFactorStatus; csrf: string; forms: TwoFactorForms }) {
  const { status, csrf } = props;
  const form = (key: TwoFactorAction) => props.forms[key] ?? emptyForm();
  if (!status.on) {
    return (
      <>
        <h1>Two-factor sign-in</h1>
        <ActionCard
          id="start"
          title="Two-factor sign-in is off"
          action="/two-factor/start"
          csrf={csrf}
          form={form('start')}
          submit="Set up two-factor sign-in"
        >
          <p>
            With two-factor sign-in on, signing in takes your password and a code from an authenticator app on your
            phone (any app for TOTP codes), so a stolen password alone does not let anyone in.
          </p>
        </ActionCard>
      </>
    );
  }
  const hint = 'The 6-digit code your app shows now, or one of your recovery codes.';
  return (
    <>
      <h1>Two-factor sign-in</h1>
      <p role="status">
        {`Two-factor sign-in is on since ${when(status.enabledAt)}. `}
        {`${status.recoveryCodesLeft} recovery code${status.recoveryCodesLeft === 1 ? '' : 's'} left.`}
      </p>
      <div class="grid">
        <ActionCard
          id="renew"
          title="New recovery codes"
          action="/two-factor/recovery-codes"
          csrf={csrf}
          form={form('renew')}
          submit="Make new recovery codes"
        >
          <p>Ten new codes replace every unused one.</p>
          <CodeField form={form('renew')} hint={hint} />
        </ActionCard>
        <ActionCard
          id="off"
          title="Turn two-factor sign-in off"
          action="/two-factor/off"
          csrf={csrf}
          form={form('off')}
          submit="Turn off"
          danger
        >
          <p>Signing in will take your password alone.</p>
          <CodeField form={form('off')} hint={hint} />
        </ActionCard>
      </div>
    </>
  );
}

/** TwoFactorSetupPage shows a new secret once, as a QR code and as text, with the form for the first code. */
export function TwoFactorSetupPage(props: {
  setup: Pick<TwoFactorSetup, 'qrSvg' | 'secretForTyping'>;
  csrf: string;
  form: FormState;
}) {
  return (
    <>
      <h1>Set up two-factor sign-in</h1>
      <section class="card" aria-labelledby="h-scan">
        <h2 id="h-scan">1. Add this account to your authenticator app</h2>
        <p>Scan the QR code with the app, or type the key by hand (time-based, 6 digits, 30 seconds).</p>
        {/* The SVG is the QR library's output: paths only, no script or text. */}
        <div
          class="qr"
          role="img"
          aria-label="QR code of the two-factor key"
          dangerouslySetInnerHTML={{ __html: props.setup.qrSvg }}
        />
        <p>
          Key:{' '}
          <code class="secret" id="totp-secret">
            {props.setup.secretForTyping}
          </code>
        </p>
        <p class="hint">This key is shown only now. Keep it as safe as your password.</p>
      </section>
      <ActionCard
        id="confirm"
        title="2. Type the code the app shows"
        action="/two-factor/confirm"
        csrf={props.csrf}
        form={props.form}
        submit="Turn on"
      >
        <CodeField form={props.form} />
      </ActionCard>
    </>
  );
}

/** RecoveryCodesPage shows the ten recovery codes once. */
export function RecoveryCodesPage(props: { codes: readonly string[]; title: string }) {
  return (
    <>
      <h1>{props.title}</h1>
      <section class="card" aria-labelledby="h-codes">
        <h2 id="h-codes">Your recovery codes</h2>
        <p>
          <strong>This is the only time they are shown.</strong> Each one signs you in once when your phone is not at
          hand. Store them somewhere safe, apart from your phone.
        </p>
        <ol class="codes mono" id="recovery-codes">
          {props.codes.map((c) => (
            <li>{c}</li>
          ))}
        </ol>
        <p class="actions">
          <button type="button" data-copy="recovery-codes" data-copy-status="codes-status">
            Copy
          </button>
          <span id="codes-status" role="status" aria-live="polite"></span>
        </p>
        <p>
          <a href="/two-factor">I have stored them — back to two-factor sign-in</a>
        </p>
      </section>
    </>
  );
}
