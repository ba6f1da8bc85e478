import { ActionCard, CurrentPasswordField, Field, type FormState, NewPasswordField } from '../../ui/form.js';
import { when } from '../../ui/kit.js';

/** AdminsPage lists the admins, with the forms to add one and to change one's own password. */
export function AdminsPage(props: {
  admins: readonly { name: string; createdAt: string; updatedAt: string }[];
  me: string;
  csrf: string;
  add: FormState;
  password: FormState;
}) {
  const { admins, me, csrf, add, password } = props;
  return (
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
        <ActionCard id="add-admin" title="Add an admin" action="/admins" csrf={csrf} form={add} submit="Add admin">
          <Field form={add} name="name" label="Name" required autocomplete="off" />
          <NewPasswordField form={add} name="password" label="Password" />
        </ActionCard>
        <ActionCard
          id="my-password"
          title="Change my password"
          action="/admins/password"
          csrf={csrf}
          form={password}
          submit="Change password"
        >
          <CurrentPasswordField form={password} />
          <NewPasswordField form={password} name="new_password" label="New password" />
        </ActionCard>
      </div>
    </>
  );
}

/** PasswordChangedPage says what happens after an admin changed their own password. */
export function PasswordChangedPage() {
  return (
    <section class="card">
      <h1>Password changed</h1>
      <p>Your browser will ask you to sign in again: use the new password.</p>
      <p>
        <a href="/">Continue to the dashboard</a>
      </p>
    </section>
  );
}
