import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  PLAN_LIMIT_FIELDS,
  type PlanLimitInput,
  type PlanLimits,
  addPlan,
  deletePlan,
  findPlan,
  listPlanUsage,
  parsePlanLimits,
  updatePlan,
} from '../../app/plans.js';
import { DomainError } from '../../domain/errors.js';
import type { Plan } from '../../domain/types.js';
import { Csrf, Field, FormMessage, type FormState, emptyForm } from './form.js';
import {
  type FormBody,
  type PageDeps,
  change,
  failedForm,
  formBody,
  given,
  redirectWith,
  sendPage,
  text,
} from './kit.js';

const LABELS: Record<PlanLimitInput, string> = {
  disk_mb: 'Disk (MiB)',
  max_databases: 'Databases',
  bandwidth_mb: 'Bandwidth (MiB a month)',
  max_addon_domains: 'Addon domains',
  max_email_accounts: 'Email accounts',
};

const LIMITS = PLAN_LIMIT_FIELDS.map(([field, key]) => [field, key, LABELS[field]] as const);

const FIELDS = ['name', 'shell', ...LIMITS.map(([field]) => field)];

function planValues(plan: Plan): Record<string, string> {
  const values: Record<string, string> = { name: plan.name, shell: plan.shell ? 'on' : '' };
  for (const [field, key] of LIMITS) values[field] = plan[key] === null ? '' : String(plan[key]);
  return values;
}

function readLimits(body: FormBody): { values: Record<string, string>; limits: () => PlanLimits } {
  const values: Record<string, string> = {
    name: text(body, 'name').trim(),
    shell: text(body, 'shell') === 'on' ? 'on' : '',
  };
  for (const [field] of LIMITS) values[field] = text(body, field).trim();
  // An empty limit field means unlimited.
  const limits = (): PlanLimits =>
    parsePlanLimits({
      ...Object.fromEntries(LIMITS.map(([field]) => [field, given(values[field] ?? '')])),
      shell: values.shell === 'on',
    });
  return { values, limits };
}

function limitText(value: number | null): string {
  return value === null ? 'unlimited' : String(value);
}

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
      <p class="actions">
        <button type="submit">{props.editing === null ? 'Add plan' : 'Save plan'}</button>
        {props.editing === null ? null : <a href="/plans">Cancel</a>}
      </p>
    </form>
  );
}

/** registerPlanPages serves the plan list with its create form, the edit form and deletion. */
export function registerPlanPages(scope: FastifyInstance, deps: PageDeps): void {
  const { ctx } = deps;
  const showList = async (
    req: FastifyRequest,
    reply: FastifyReply,
    form: FormState,
    message: string | null = null,
    status = 200,
  ) => {
    const csrf = reply.generateCsrf();
    const rows = await listPlanUsage(ctx);
    const content = (
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
    return sendPage(deps, req, reply, 'Plans', content, status);
  };
  const showEdit = (req: FastifyRequest, reply: FastifyReply, name: string, form: FormState, status = 200) =>
    sendPage(
      deps,
      req,
      reply,
      `Edit plan ${name}`,
      <>
        <h1>
          Edit plan <span class="mono">{name}</span>
        </h1>
        <section class="card">
          <PlanForm csrf={reply.generateCsrf()} form={form} editing={name} />
        </section>
      </>,
      status,
    );
  const nameOf = (req: FastifyRequest) => (req.params as { name: string }).name;

  scope.get('/plans', async (req, reply) => showList(req, reply, emptyForm()));

  scope.post('/plans', async (req, reply) => {
    const { values, limits } = readLimits(formBody(req));
    try {
      await change(deps, req, 'plan.add', values.name || null, { ...values }, async () => {
        const parsed = limits();
        return addPlan(ctx, values.name ?? '', parsed);
      });
      return redirectWith(reply, '/plans', { kind: 'ok', text: `Added plan ${values.name}.` });
    } catch (err) {
      const failed = failedForm(err, values, FIELDS);
      return showList(req, reply, failed.form, null, failed.status);
    }
  });

  scope.get('/plans/:name/edit', async (req, reply) => {
    const plan = await findPlan(ctx, nameOf(req));
    if (!plan) throw new DomainError('not_found', `no plan named ${nameOf(req)}`);
    return showEdit(req, reply, plan.name, emptyForm(planValues(plan)));
  });

  scope.post('/plans/:name', async (req, reply) => {
    const name = nameOf(req);
    const { values, limits } = readLimits(formBody(req));
    values.name = name;
    try {
      await change(deps, req, 'plan.update', name, { ...values }, async () => updatePlan(ctx, name, limits()));
      return redirectWith(reply, '/plans', { kind: 'ok', text: `Saved plan ${name}.` });
    } catch (err) {
      const failed = failedForm(err, values, FIELDS);
      return showEdit(req, reply, name, failed.form, failed.status);
    }
  });

  scope.post('/plans/:name/delete', async (req, reply) => {
    const name = nameOf(req);
    try {
      await change(deps, req, 'plan.delete', name, { name }, () => deletePlan(ctx, name));
      return redirectWith(reply, '/plans', { kind: 'ok', text: `Deleted plan ${name}.` });
    } catch (err) {
      const failed = failedForm(err, {}, []);
      return showList(
        req,
        reply,
        emptyForm(),
        `Cannot delete plan ${name}: ${failed.form.message ?? ''}`,
        failed.status,
      );
    }
  });
}
