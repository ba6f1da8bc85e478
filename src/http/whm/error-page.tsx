import type { FastifyError, FastifyInstance } from 'fastify';
import { isDomainError } from '../../domain/errors.js';
import { STATUS_BY_CODE } from '../errors.js';
import { type PageDeps, sendPage } from './kit.js';

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
