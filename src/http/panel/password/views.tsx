import { ActionCard, CurrentPasswordField, type FormState, NewPasswordField } from '../../ui/form.js';

/** PasswordPage is the owner's password change: the current password and the new one. */
export function PasswordPage(props: { csrf: string; form: FormState; hostMode: boolean }) {
  const { form } = props;
  return (
    <>
      <h1>Password</h1>
      <ActionCard
        id="password"
        title="Change your password"
        action="/password"
        csrf={props.csrf}
        form={form}
        submit="Change password"
      >
        <p>
          {props.hostMode
            ? 'The new password is the one for this panel and for your server login (SFTP, SSH where your plan has it).'
            : 'The new password is the one for this panel.'}{' '}
          Your other signed-in browsers are signed out; this one stays signed in.
        </p>
        <CurrentPasswordField form={form} />
        <NewPasswordField
          form={form}
          name="new_password"
          label="New password"
          hint="10-128 characters, not containing your user name."
        />
      </ActionCard>
    </>
  );
}
