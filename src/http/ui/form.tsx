import type { Child } from 'hono/jsx';

/** FormState is a form as it is re-shown: the values to keep, errors by field and a form-level message. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  message: string | null;
}

/** emptyForm is a fresh form with optional default values. */
export function emptyForm(values: Record<string, string> = {}): FormState {
  return { values, errors: {}, message: null };
}

/** Csrf is the hidden field that carries the CSRF token of every state-changing form. */
export function Csrf(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** FormMessage shows a form-level error, announced to screen readers. */
export function FormMessage(props: { form: FormState }) {
  if (props.form.message === null) return null;
  return (
    <p class="flash error" role="alert">
      {props.form.message}
    </p>
  );
}

/** FieldProps describe one labelled input. */
export interface FieldProps {
  form: FormState;
  name: string;
  label: string;
  type?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  /** secret fields are never filled back in after an error. */
  secret?: boolean;
  placeholder?: string;
  inputmode?: 'numeric' | 'email' | 'text';
  children?: Child;
}

/** Field is a labelled input with its hint and its error tied to it for assistive technology. */
export function Field(props: FieldProps) {
  const id = `f-${props.name}`;
  const error = props.form.errors[props.name];
  const described = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.secret ? '' : (props.form.values[props.name] ?? '')}
        required={props.required}
        autocomplete={props.autocomplete}
        placeholder={props.placeholder}
        inputmode={props.inputmode}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

/** FieldError shows the message of a field that failed validation. */
export function FieldError(props: { id: string; error: string | undefined }) {
  if (!props.error) return null;
  return (
    <p class="error-text" id={props.id}>
      {props.error}
    </p>
  );
}

/** CurrentPasswordField is the required field for the current password, which a password change asks for first. */
export function CurrentPasswordField(props: { form: FormState }) {
  return (
    <Field
      form={props.form}
      name="current"
      label="Current password"
      type="password"
      secret
      required
      autocomplete="current-password"
    />
  );
}

/** NewPasswordField is a required field for a new password, never filled back in. */
export function NewPasswordField(props: { form: FormState; name: string; label: string; hint?: string }) {
  return (
    <Field
      form={props.form}
      name={props.name}
      label={props.label}
      type="password"
      secret
      required
      autocomplete="new-password"
      hint={props.hint ?? '10-128 characters.'}
    />
  );
}

/**
 * PasswordChoice is the choice between a generated password (shown once) and one typed in the
 * field below, sent as `password_mode` (`generate` or `set`) and `password`.
 */
export function PasswordChoice(props: { form: FormState; legend: string; hint: string }) {
  const generate = (props.form.values.password_mode ?? 'generate') !== 'set';
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      <label class="check">
        <input type="radio" name="password_mode" value="generate" checked={generate} /> Generate a strong password
        (shown once)
      </label>
      <label class="check">
        <input type="radio" name="password_mode" value="set" checked={!generate} /> Set this password:
      </label>
      <Field
        form={props.form}
        name="password"
        label="Password"
        type="password"
        secret
        autocomplete="new-password"
        hint={props.hint}
      />
    </fieldset>
  );
}

/** SelectField is a labelled select with the same error handling as Field. */
export function SelectField(props: {
  form: FormState;
  name: string;
  label: string;
  options: readonly (readonly [string, string])[];
}) {
  const id = `f-${props.name}`;
  const error = props.form.errors[props.name];
  const chosen = props.form.values[props.name] ?? '';
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        {props.options.map(([value, label]) => (
          <option value={value} selected={value === chosen}>
            {label}
          </option>
        ))}
      </select>
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

/** OneTimeSecret shows a secret that the panel cannot show again, with a copy button. */
export function OneTimeSecret(props: { id: string; label: string; secret: string; children?: Child }) {
  return (
    <section class="card" aria-labelledby={`${props.id}-label`}>
      <h2 id={`${props.id}-label`}>{props.label}</h2>
      <p>
        <strong>This is the only time it is shown.</strong> The panel does not keep it and cannot show it again: copy it
        now and store it somewhere safe.
      </p>
      <code class="secret" id={props.id}>
        {props.secret}
      </code>
      <p class="actions">
        <button type="button" data-copy={props.id} data-copy-status={`${props.id}-status`}>
          Copy
        </button>
        <span id={`${props.id}-status`} role="status" aria-live="polite"></span>
      </p>
      {props.children}
    </section>
  );
}

/** ActionCardProps describe one action of a page: a titled card with its own form, errors and button. */
export interface ActionCardProps {
  /** id makes the heading's id (`h-<id>`), which labels the card. */
  id: string;
  title: string;
  action: string;
  csrf: string;
  form: FormState;
  submit: string;
  /** danger marks an action that cannot be undone. */
  danger?: boolean;
  children?: Child;
}

/** ActionCard is a card holding one state-changing form: CSRF field, form-level message, fields and a submit button. */
export function ActionCard(props: ActionCardProps) {
  return (
    <section class="card" aria-labelledby={`h-${props.id}`}>
      <h2 id={`h-${props.id}`}>{props.title}</h2>
      <form class="stack" method="post" action={props.action}>
        <Csrf token={props.csrf} />
        <FormMessage form={props.form} />
        {props.children}
        <p>
          <button type="submit" class={props.danger ? 'danger' : undefined}>
            {props.submit}
          </button>
        </p>
      </form>
    </section>
  );
}
