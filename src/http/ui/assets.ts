import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

// The stylesheet and the page script are files beside this module (static/); the build copies
// them next to the bundle this module is part of (dist/static/), so the same relative path works
// from src/ and from dist/.
const STATIC_DIR = new URL('./static/', import.meta.url);

/** Asset is one static file the pages link to, with a versioned URL so it can be cached for long. */
export interface Asset {
  url: string;
  type: string;
  body: string | Buffer;
}

/** UiAssets are the stylesheet and scripts every page of vWHM and the user panel links to. */
export interface UiAssets {
  css: Asset;
  script: Asset;
  htmx: Asset;
}

function asset(path: string, type: string, body: string | Buffer): Asset {
  const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { url: `${path}?v=${version}`, type, body };
}

/** loadUiAssets reads the assets from disk once, at startup (htmx from node_modules), and versions each by its content. */
export function loadUiAssets(): UiAssets {
  const require = createRequire(import.meta.url);
  const htmx = readFileSync(require.resolve('htmx.org/dist/htmx.min.js'));
  return {
    css: asset('/assets/vanta.css', 'text/css; charset=utf-8', readFileSync(new URL('vanta.css', STATIC_DIR))),
    script: asset('/assets/vanta.js', 'text/javascript; charset=utf-8', readFileSync(new URL('vanta.js', STATIC_DIR))),
    htmx: asset('/assets/htmx.min.js', 'text/javascript; charset=utf-8', htmx),
  };
}

/** registerAssets serves the assets with a year-long, immutable cache header. */
export function registerAssets(app: FastifyInstance, assets: UiAssets): void {
  for (const a of [assets.css, assets.script, assets.htmx]) {
    const path = a.url.split('?')[0] ?? a.url;
    app.get(path, { config: { access: 'anyone' } }, async (_req, reply) =>
      reply.type(a.type).header('cache-control', 'public, max-age=31536000, immutable').send(a.body),
    );
  }
}
