import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

const STYLESHEET = `:root{color-scheme:light dark;--bg:#f6f7f9;--fg:#1b1f24;--muted:#5b6470;--card:#fff;--line:#d9dde3;
--accent:#2457c5;--accent-fg:#fff;--ok:#1d7a3c;--warn:#9a5b00;--bad:#b3261e;--focus:#f0a500;--code:#eef1f5}
@media (prefers-color-scheme:dark){:root{--bg:#14171b;--fg:#e6e9ee;--muted:#9aa3ae;--card:#1d2127;--line:#333a43;
--accent:#7aa2ff;--accent-fg:#0b1020;--ok:#5fd38a;--warn:#f2b450;--bad:#ff8a80;--code:#262b33}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
a{color:var(--accent)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--card);padding:.5rem;z-index:2}
header.top{background:var(--card);border-bottom:1px solid var(--line)}
header.top .bar{max-width:72rem;margin:0 auto;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
.brand{font-weight:700;font-size:1.15rem;text-decoration:none;color:var(--fg)}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem}
nav a{display:block;padding:.35rem .65rem;border-radius:.4rem;text-decoration:none;color:var(--fg)}
nav a[aria-current=page]{background:var(--accent);color:var(--accent-fg)}
.who{margin-left:auto;color:var(--muted);font-size:.9rem}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:1rem;margin:0 0 1rem}
.card>h1:first-child,.card>h2:first-child{margin-top:0}
.grid{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));align-items:start}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{padding:.45rem .6rem;text-align:left;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}
td.num,th.num{text-align:right}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
code{background:var(--code);padding:.05rem .3rem;border-radius:.25rem}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:.8rem;border:1px solid currentColor}
.s-active,.s-ok{color:var(--ok)}.s-suspended,.s-expired,.s-provisioning,.s-terminating,.s-warn{color:var(--warn)}
.s-revoked,.s-bad{color:var(--bad)}
.flash{padding:.75rem 1rem;border-radius:.5rem;margin:0 0 1rem;border:1px solid currentColor}
.flash.ok{color:var(--ok)}.flash.error{color:var(--bad)}
form.stack{display:grid;gap:.85rem;max-width:36rem}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
.field{display:grid;gap:.25rem}
label,legend{font-weight:600}
fieldset{border:1px solid var(--line);border-radius:.5rem;padding:.5rem .9rem}
.check{display:flex;gap:.5rem;align-items:center;font-weight:400}
input,select,textarea{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:.4rem;padding:.45rem .6rem;min-height:2.5rem;width:100%}
input[type=checkbox],input[type=radio]{width:auto;min-height:auto}
.hint{color:var(--muted);font-size:.85rem;margin:0}
.error-text{color:var(--bad);font-size:.9rem;margin:0}
[aria-invalid=true]{border-color:var(--bad)}
button,.button{font:inherit;display:inline-block;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);
border-radius:.4rem;padding:.45rem .9rem;min-height:2.5rem;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:transparent;color:var(--accent)}
button.danger{background:var(--bad);border-color:var(--bad);color:#fff}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.secret{display:block;font-size:1.05rem;padding:.75rem;word-break:break-all;border:2px dashed var(--warn);user-select:all}
.pager{display:flex;gap:1rem;margin:.75rem 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
@media (max-width:40rem){.who{margin-left:0;width:100%}main{padding:.75rem}h1{font-size:1.35rem}
table.responsive thead{display:none}table.responsive tr{display:block;border-bottom:1px solid var(--line);padding:.4rem 0}
table.responsive td{display:flex;gap:.75rem;border:0;padding:.15rem 0}
table.responsive td::before{content:attr(data-label);min-width:7.5rem;color:var(--muted);font-weight:600;font-family:system-ui,sans-serif;font-size:.95rem}}
`;

// The copy button's behaviour lives here so that pages need no inline script under the strict CSP.
const SCRIPT = `document.addEventListener('click', function (event) {
  var button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (!button) return;
  var source = document.getElementById(button.getAttribute('data-copy'));
  var status = document.getElementById(button.getAttribute('data-copy-status') || '');
  if (!source) return;
  var text = source.textContent.trim();
  var done = function (ok) { if (status) status.textContent = ok ? 'Copied to the clipboard.' : 'Copy failed: select the text and copy it by hand.'; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
    return;
  }
  var range = document.createRange();
  range.selectNodeContents(source);
  var selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  done(document.execCommand('copy'));
});
`;

/** Asset is one static file vWHM serves, with a versioned URL so it can be cached for long. */
export interface Asset {
  url: string;
  type: string;
  body: string | Buffer;
}

/** WhmAssets are the stylesheet and scripts every vWHM page links to. */
export interface WhmAssets {
  css: Asset;
  script: Asset;
  htmx: Asset;
}

function asset(path: string, type: string, body: string | Buffer): Asset {
  const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { url: `${path}?v=${version}`, type, body };
}

/** loadWhmAssets reads htmx from node_modules once, at startup, and versions every asset by its content. */
export function loadWhmAssets(): WhmAssets {
  const require = createRequire(import.meta.url);
  const htmx = readFileSync(require.resolve('htmx.org/dist/htmx.min.js'));
  return {
    css: asset('/assets/vwhm.css', 'text/css; charset=utf-8', STYLESHEET),
    script: asset('/assets/vwhm.js', 'text/javascript; charset=utf-8', SCRIPT),
    htmx: asset('/assets/htmx.min.js', 'text/javascript; charset=utf-8', htmx),
  };
}

/** registerAssets serves the assets with a year-long, immutable cache header. */
export function registerAssets(app: FastifyInstance, assets: WhmAssets): void {
  for (const a of [assets.css, assets.script, assets.htmx]) {
    const path = a.url.split('?')[0] ?? a.url;
    app.get(path, async (_req, reply) =>
      reply.type(a.type).header('cache-control', 'public, max-age=31536000, immutable').send(a.body),
    );
  }
}
