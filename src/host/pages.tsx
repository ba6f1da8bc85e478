import type { Child } from 'hono/jsx';

const SAFE_NAME_RE = /^[a-z0-9.-]+$/;
const BODY_STYLE = 'font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem';

/** SitePage is the document shell of the pages the panel writes for an account's site. */
function SitePage(props: { title: string; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{props.title}</title>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
      </head>
      <body style={BODY_STYLE}>{props.children}</body>
    </html>
  );
}

function render(node: ReturnType<typeof SitePage>): string {
  const html = node.toString();
  if (typeof html !== 'string') throw new Error('site pages must render synchronously');
  return `<!doctype html>\n${html}\n`;
}

/** renderSuspendedPage is the page served with HTTP 503 for a suspended account. */
export function renderSuspendedPage(): string {
  return render(
    <SitePage title="Account suspended">
      <h1>This account is suspended</h1>
      <p>The site is not available right now. If it is yours, please contact your hosting provider.</p>
    </SitePage>,
  );
}

/** renderDefaultPage is the first `public_html/index.html` of a new account. */
export function renderDefaultPage(domain: string): string {
  if (!SAFE_NAME_RE.test(domain)) throw new Error('domain must be validated before rendering');
  return render(
    <SitePage title={domain}>
      <h1>{domain}</h1>
      <p>
        This site is hosted with Vanta Panel. Upload your own <code>index.html</code> to <code>public_html</code> to
        replace this page.
      </p>
    </SitePage>,
  );
}
