import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Child } from 'hono/jsx';
import { recordAudit } from '../../app/audit.js';
import type { AppContext } from '../../app/ports.js';
import { isDomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import { STATUS_BY_CODE } from '../errors.js';
import type { CrossOrigin } from '../form-guard.js';

/** PageSender renders content inside a site's layout (vWHM's, the user panel's) and sends it. */
export type PageSender = (
  req: FastifyRequest,
  reply: FastifyReply,
  title: string,
  content: Child,
  status: number,
) => FastifyReply;

function isCsrfError(err: FastifyError): boolean {
  return err.code === 'FST_CSRF_INVALID_TOKEN' || err.code === 'FST_CSRF_MISSING_SECRET';
}

/** ErrorPanel is the body of an error page: what happened and a way back. */
export function ErrorPanel(props: { title: string; message: string; requestId?: string }) {
  return (
    <section class="card">
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      {props.requestId ? (
        <p class="hint">
          Request id <code>{props.requestId}</code>
        </p>
      ) : null}
      <p>
        <a href="/">Back to the start page</a>
      </p>
    </section>
  );
}

/**
 * refuseForeignForm answers a form posted from another site with a page saying so, and records
 * the attempt as `action` (outcome `cross_origin`) by `actor`, whose browser sent it: it is what a
 * cross-site request forgery looks like.
 */
export async function refuseForeignForm(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  refusal: { actor: Actor; action: string; target: string | null; why: CrossOrigin; site: string; send: PageSender },
): Promise<FastifyReply> {
  const { why } = refusal;
  const audit = {
    actor: refusal.actor,
    action: refusal.action,
    target: refusal.target,
    params: { path: req.url.split('?')[0] ?? '/', origin: why.origin, sec_fetch_site: why.secFetchSite },
    requestId: req.id,
    ip: req.clientIp,
  };
  await recordAudit(ctx, audit, 'cross_origin', 403);
  const message = `This form came from another site: ${why.reason}. ${refusal.site} accepts changes only from its own pages; open it yourself and submit the form there.`;
  return refusal.send(req, reply, 'Form refused', <ErrorPanel title="Form refused" message={message} />, 403);
}

/**
 * registerErrorPages answers a site's errors with pages: refused forms, unknown records, and
 * failures with a request id (the details go to the server log, never to the page).
 */
export function registerErrorPages(scope: FastifyInstance, product: string, send: PageSender): void {
  const panel = (req: FastifyRequest, reply: FastifyReply, title: string, message: string, status: number) =>
    send(req, reply, title, <ErrorPanel title={title} message={message} />, status);
  scope.setErrorHandler((err: FastifyError, req, reply) => {
    if (isCsrfError(err)) {
      const message = `This form has expired or did not come from ${product}. Go back, reload the page and submit it again.`;
      return panel(req, reply, 'Form refused', message, 403);
    }
    if (isDomainError(err) && err.code !== 'internal_error') {
      const status = STATUS_BY_CODE[err.code];
      return panel(req, reply, status === 404 ? 'Not found' : 'Not possible', err.message, status);
    }
    const status =
      typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      req.log.error({ err, reqId: req.id }, `${product} page failed unexpectedly`);
      const message = 'Something went wrong on the server. The details are in the server log.';
      return send(
        req,
        reply,
        'Error',
        <ErrorPanel title="Something went wrong" message={message} requestId={req.id} />,
        500,
      );
    }
    return panel(req, reply, 'Request refused', err.message, status);
  });
}
