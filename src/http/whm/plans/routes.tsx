import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type PlanLimits,
  addPlan,
  deletePlan,
  findPlan,
  listPlanUsage,
  parsePlanLimits,
  updatePlan,
} from '../../../app/plans.js';
import { DomainError } from '../../../domain/errors.js';
import { type FormState, emptyForm } from '../../ui/form.js';
import { type PageDeps, change, redirectWith, sendPage } from '../kit.js';
import { type FormBody, failedForm, formBody, given, text } from '../../ui/kit.js';
import { EditPlanPage, LIMITS, NEW_PLAN_VALUES, PHP_LIMITS, PlansPage, planValues } from './views.js';

const NUMBERS = [...LIMITS, ...PHP_LIMITS].map(([field]) => field);
const FIELDS = ['name', 'shell', 'php', ...NUMBERS];

function readLimits(body: FormBody): { values: Record<string, string>; limits: () => PlanLimits } {
  const values: Record<string, string> = {
    name: text(body, 'name').trim(),
    shell: text(body, 'shell') === 'on' ? 'on' : '',
    php: text(body, 'php') === 'on' ? 'on' : '',
  };
  for (const field of NUMBERS) values[field] = text(body, field).trim();
  // An empty limit field means unlimited; an empty PHP setting, its default.
  const limits = (): PlanLimits =>
    parsePlanLimits({
      ...Object.fromEntries(NUMBERS.map((field) => [field, given(values[field] ?? '')])),
      shell: values.shell === 'on',
      php: values.php === 'on',
    });
  return { values, limits };
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
    const csrf = reply.formToken();
    const rows = await listPlanUsage(ctx);
    const content = <PlansPage rows={rows} csrf={csrf} form={form} message={message} />;
    return sendPage(deps, req, reply, 'Plans', content, status);
  };
  const showEdit = (req: FastifyRequest, reply: FastifyReply, name: string, form: FormState, status = 200) =>
    sendPage(
      deps,
      req,
      reply,
      `Edit plan ${name}`,
      <EditPlanPage name={name} csrf={reply.formToken()} form={form} />,
      status,
    );
  const nameOf = (req: FastifyRequest) => (req.params as { name: string }).name;

  scope.get('/plans', async (req, reply) => showList(req, reply, emptyForm(NEW_PLAN_VALUES)));

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
        emptyForm(NEW_PLAN_VALUES),
        `Cannot delete plan ${name}: ${failed.form.message ?? ''}`,
        failed.status,
      );
    }
  });
}
