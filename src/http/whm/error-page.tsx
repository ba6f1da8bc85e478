import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '../../domain/errors.js';
import { STATUS_BY_CODE } from '../errors.js';
import { recordAudit } from '../../app/audit.js';
import type { CrossOrigin } from '../form-guard.js';
import { type PageDeps, adminActor, sendPage } from './kit.js';

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
        <a href="/">Back to the dashboard</a>
      </p>
    </section>
  );
}

/**
 * refuseCrossOrigin answers a form posted from another site with a page saying so, and records the
 * attempt (as the signed-in admin whose browser sent it): it is what a CSRF attack looks like.
 */
export async function refuseCrossOrigin(deps: PageDeps, req: FastifyRequest, reply: FastifyReply, why: CrossOrigin) {
  const audit = {
    actor: adminActor(req),
    action: 'whm.form',
    target: null,
    params: { path: req.url.split('?')[0] ?? '/', origin: why.origin, sec_fetch_site: why.secFetchSite },
    requestId: req.id,
    ip: req.clientIp,
  };
  await recordAudit(deps.ctx, audit, 'cross_origin', 403);
  const message = `This form came from another site: ${why.reason}. vWHM accepts changes only from its own pages; open vWHM yourself and submit the form there.`;
  return sendPage(deps, req, reply, 'Form refused', <ErrorPanel title="Form refused" message={message} />, 403);
}

/** registerErrorPages answers vWHM errors with pages: refused forms, unknown records, and failures with a request id. */
export function registerErrorPages(scope: FastifyInstance, deps: PageDeps): void {
  scope.setErrorHandler((err: FastifyError, req, reply) => {
    if (isCsrfError(err)) {
      const message = 'This form has expired or did not come from vWHM. Go back, reload the page and submit it again.';
      return sendPage(deps, req, reply, 'Form refused', <ErrorPanel title="Form refused" message={message} />, 403);
    }
    if (isDomainError(err) && err.code !== 'internal_error') {
      const status = STATUS_BY_CODE[err.code];
      return sendPage(
        deps,
        req,
        reply,
        'Not possible',
        <ErrorPanel title={status === 404 ? 'Not found' : 'Not possible'} message={err.message} />,
        status,
      );
    }
    const status =
      typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      req.log.error({ err, reqId: req.id }, 'vWHM page failed unexpectedly');
      const message = 'Something went wrong on the server. The details are in the server log.';
      return sendPage(
        deps,
        req,
        reply,
        'Error',
        <ErrorPanel title="Something went wrong" message={message} requestId={req.id} />,
        500,
      );
    }
    return sendPage(
      deps,
      req,
      reply,
      'Request refused',
      <ErrorPanel title="Request refused" message={err.message} />,
      status,
    );
  });
}
