import { PHP_LIMIT_FIELDS, PLAN_LIMIT_FIELDS, type PlanLimitInput, type PlanUsage } from '../../../app/plans.js';
import { PHP_DEFAULTS } from '../../../domain/php.js';
import type { Plan } from '../../../domain/types.js';
import { Csrf, Field, FormMessage, type FormState } from '../../ui/form.js';

const LABELS: Record<PlanLimitInput, string> = {
  disk_mb: 'Disk (MiB)',
  max_databases: 'Databases',
  bandwidth_mb: 'Bandwidth (MiB a month)',
  max_addon_domains: 'Addon domains',
  max_email_accounts: 'Email accounts',
};

/** LIMITS are a plan's numeric limits: form field, Plan field and label. */
export const LIMITS = PLAN_LIMIT_FIELDS.map(([field, key]) => [field, key, LABELS[field]] as const);

const PHP_LABELS: Record<(typeof PHP_LIMIT_FIELDS)[number][0], [string, string]> = {
  php_max_children: ['PHP workers per account', `At once; ${PHP_DEFAULTS.maxChildren} when empty.`],
  php_memory_mb: ['PHP memory per worker (MiB)', `Its memory_limit; ${PHP_DEFAULTS.memoryMb} when empty.`],
};

/** PHP_LIMITS are a plan's PHP settings: form field, Plan field, label and hint. */
export const PHP_LIMITS = PHP_LIMIT_FIELDS.map(([field, key, range]) => {
  const [label, hint] = PHP_LABELS[field];
  return [field, key, label, `${hint} ${range.min} to ${range.max}.`] as const;
});

/** NEW_PLAN_VALUES fill the add-plan form: PHP on with its default settings. */
export const NEW_PLAN_VALUES: Readonly<Record<string, string>> = {
  php: 'on',
  php_max_children: String(PHP_DEFAULTS.maxChildren),
  php_memory_mb: String(PHP_DEFAULTS.memoryMb),
};

/** planValues fills the plan form with a plan's limits, empty for unlimited. */
export function planValues(plan: Plan): Record<string, string> {
  const values: Record<string, string> = { name: plan.name, shell: plan.shell ? 'on' : '', php: plan.php ? 'on' : '' };
  for (const [field, key] of LIMITS) values[field] = plan[key] === null ? '' : String(plan[key]);
  for (const [field, key] of PHP_LIMITS) values[field] = String(plan[key]);
  return values;
}

/** phpText is a plan's PHP as the list shows it. */
function phpText(plan: Plan): string {
  return plan.php ? `${plan.phpMaxChildren} × ${plan.phpMemoryMb} MiB` : 'off';
}

function limitText(value: number | null): string {
  return value === null ? 'unlimited' : String(value);
}

/** PlanForm adds a plan, or edits the plan named `editing`. */
function PlanForm(props: { csrf: string; form: FormState; editing: string | null }) {
  const { form } = props;
  return (
    <form
      class="stack"
      method="post"
      action={props.editing === null ? '/plans' : `/plans/${encodeURIComponent(props.editing)}`}
    >
      <Csrf token={props.csrf} />
      <FormMessage form={form} />
      {props.editing === null ? (
        <Field
          form={form}
          name="name"
          label="Name"
          required
          autocomplete="off"
          hint="Lower-case letters, digits, '.', '_' or '-'."
        />
      ) : null}
      {LIMITS.map(([field, , label]) => (
        <Field form={form} name={field} label={label} type="text" inputmode="numeric" hint="Empty means unlimited." />
      ))}
      <label class="check">
        <input type="checkbox" name="shell" value="on" checked={form.values.shell === 'on'} /> Shell access
      </label>
      <label class="check">
        <input type="checkbox" name="php" value="on" checked={form.values.php === 'on'} /> PHP (without it, .php files
        are refused, never shown)
      </label>
      {PHP_LIMITS.map(([field, , label, hint]) => (
        <Field form={form} name={field} label={label} type="text" inputmode="numeric" hint={hint} />
      ))}
      <p class="actions">
        <button type="submit">{props.editing === null ? 'Add plan' : 'Save plan'}</button>
        {props.editing === null ? null : <a href="/plans">Cancel</a>}
      </p>
    </form>
  );
}

/** PlansPage is the plan list with the add-plan form, and a form-level error of a refused deletion. */
export function PlansPage(props: {
  rows: readonly PlanUsage[];
  csrf: string;
  form: FormState;
  message: string | null;
}) {
  const { rows, csrf, form, message } = props;
  return (
    <>
      <h1>Plans</h1>
      {message ? (
        <p class="flash error" role="alert">
          {message}
        </p>
      ) : null}
      {rows.length === 0 ? (
        <p>No plans yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="responsive">
            <thead>
              <tr>
                <th scope="col">Name</th>
                {LIMITS.map(([, , label]) => (
                  <th scope="col">{label}</th>
                ))}
                <th scope="col">Shell</th>
                <th scope="col">PHP</th>
                <th scope="col">Accounts</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ plan, accounts }) => (
                <tr>
                  <td data-label="Name" class="mono">
                    {plan.name}
                  </td>
                  {LIMITS.map(([, key, label]) => (
                    <td data-label={label}>{limitText(plan[key])}</td>
                  ))}
                  <td data-label="Shell">{plan.shell ? 'yes' : 'no'}</td>
                  <td data-label="PHP">{phpText(plan)}</td>
                  <td data-label="Accounts">
                    <a href={`/accounts?plan=${encodeURIComponent(plan.name)}`}>{accounts}</a>
                  </td>
                  <td data-label="Actions">
                    <div class="actions">
                      <a href={`/plans/${encodeURIComponent(plan.name)}/edit`} aria-label={`Edit plan ${plan.name}`}>
                        Edit
                      </a>
                      <form method="post" action={`/plans/${encodeURIComponent(plan.name)}/delete`}>
                        <Csrf token={csrf} />
                        <button
                          type="submit"
                          class="secondary"
                          aria-label={`Delete plan ${plan.name}`}
                          title={accounts > 0 ? `In use by ${accounts} account(s)` : undefined}
                        >
                          Delete
                        </button>
                      </form>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section class="card" aria-labelledby="h-new-plan">
        <h2 id="h-new-plan">Add a plan</h2>
        <PlanForm csrf={csrf} form={form} editing={null} />
      </section>
    </>
  );
}

/** EditPlanPage is the form that changes one plan's limits. */
export function EditPlanPage(props: { name: string; csrf: string; form: FormState }) {
  return (
    <>
      <h1>
        Edit plan <span class="mono">{props.name}</span>
      </h1>
      <section class="card">
        <PlanForm csrf={props.csrf} form={props.form} editing={props.name} />
      </section>
    </>
  );
}
