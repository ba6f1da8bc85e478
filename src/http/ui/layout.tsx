import type { Child } from 'hono/jsx';
import type { UiAssets } from './assets.js';

/** Flash is a one-time message carried to the page after a redirect. */
export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

/** NavItem is one entry of the main navigation: its address and label. */
export type NavItem = readonly [string, string];

/** LayoutProps are what every page shares: title, product, navigation, who is signed in, current path, flash and assets. */
export interface LayoutProps {
  title: string;
  /** product names the site in the title and the brand link: `vWHM` or `Vanta Panel`. */
  product: string;
  nav: readonly NavItem[];
  /** who says who is signed in (and how to sign out), or nothing before sign-in. */
  who: Child | null;
  path: string;
  flash: Flash | null;
  assets: UiAssets;
  children?: Child;
}

function current(path: string, href: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

/** Layout is the document shell of vWHM and the user panel: navigation, who is signed in, flash message and content. */
export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}' />
        <title>{`${props.title} · ${props.product}`}</title>
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
              {props.product}
            </a>
            {props.nav.length === 0 ? null : (
              <nav aria-label="Main">
                <ul>
                  {props.nav.map(([href, label]) => (
                    <li>
                      <a href={href} aria-current={current(props.path, href) ? 'page' : undefined}>
                        {label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
            {props.who === null ? null : <div class="who">{props.who}</div>}
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
