import { Csrf, Field, FormMessage, type FormState } from '../../ui/form.js';
import { CodeField } from '../two-factor/views.js';

/** SignInPage is the user panel's front door: the account's user name and password. */
export function SignInPage(props: { csrf: string; form: FormState }) {
  const { form } = props;
  return (
    <section class="card narrow" aria-labelledby="h-sign-in">
      <h1 id="h-sign-in">Sign in to your hosting account</h1>
      <form class="stack" method="post" action="/sign-in">
        <Csrf token={props.csrf} />
        <FormMessage form={form} />
        <Field form={form} name="user" label="User name" required autocomplete="username" />
        <Field
          form={form}
          name="password"
          label="Password"
          type="password"
          secret
          required
          autocomplete="current-password"
        />
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
      <p class="hint">Use the user name and password your hosting provider gave you.</p>
    </section>
  );
}

/** CodePage asks for the second factor of a sign-in whose password was right. */
export function CodePage(props: { csrf: string; form: FormState; user: string }) {
  const { form } = props;
  return (
    <section class="card narrow" aria-labelledby="h-code">
      <h1 id="h-code">Two-factor sign-in</h1>
      <p>
        Type the 6-digit code your authenticator app shows for <strong>{props.user}</strong>, or one of your recovery
        codes.
      </p>
      <form class="stack" method="post" action="/sign-in/code">
        <Csrf token={props.csrf} />
        <FormMessage form={form} />
        <CodeField form={form} hint="A recovery code looks like xxxxx-xxxxx-xxxxx; each works once." />
        <p class="actions">
          <button type="submit">Sign in</button>
        </p>
      </form>
      <form method="post" action="/sign-out">
        <Csrf token={props.csrf} />
        <button type="submit" class="secondary">
          Cancel
        </button>
      </form>
    </section>
  );
}

/** RefusedPage is a sign-in that cannot go on: a suspended account, too many failures, a link that no longer works. */
export function RefusedPage(props: { title: string; message: string }) {
  return (
    <section class="card narrow" aria-labelledby="h-refused">
      <h1 id="h-refused">{props.title}</h1>
      <p role="alert">{props.message}</p>
      <p>
        <a href="/">Back to the sign-in page</a>
      </p>
    </section>
  );
}
