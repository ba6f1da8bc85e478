import type { Child } from 'hono/jsx';
import type { WhmAssets } from './assets.js';

/** Flash is a one-time message carried to the page after a redirect. */
export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

/** NAV lists the main sections in the order the navigation shows them. */
export const NAV: readonly (readonly [string, string])[] = [
  ['/', 'Dashboard'],
  ['/accounts', 'Accounts'],
  ['/plans', 'Plans'],
  ['/tokens', 'API Tokens'],
  ['/audit', 'Audit Log'],
  ['/admins', 'Admins'],
];

/** LayoutProps are what every page shares: title, signed-in admin, current path, flash and assets. */
export interface LayoutProps {
  title: string;
  admin: string;
  path: string;
  flash: Flash | null;
  assets: WhmAssets;
  children?: Child;
}

function current(path: string, href: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

/** Layout is the document shell: navigation, signed-in admin, flash message and the page's content. */
export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}' />
        <title>{`${props.title} · vWHM`}</title>
        <link rel="stylesheet" href={props.assets.css.url} />
        <script src={props.assets.htmx.url} defer></script>
        <script src={props.assets.script.url} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/">
              vWHM
            </a>
            <nav aria-label="Main">
              <ul>
                {NAV.map(([href, label]) => (
                  <li>
                    <a href={href} aria-current={current(props.path, href) ? 'page' : undefined}>
                      {label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <p class="who">
              Signed in as <strong>{props.admin}</strong>
            </p>
          </div>
        </header>
        <main id="main">
          {props.flash ? (
            <p class={`flash ${props.flash.kind}`} role={props.flash.kind === 'error' ? 'alert' : 'status'}>
              {props.flash.text}
            </p>
          ) : null}
          {props.children}
        </main>
      </body>
    </html>
  );
}
