import type { Child } from 'hono/jsx';

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem;line-height:1.5}' +
  'table{border-collapse:collapse}td,th{padding:.25rem .75rem;text-align:left;border-bottom:1px solid #8884}';

/** PanelPage is the user panel's plain document shell. */
export function PanelPage(props: { title: string; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title}</title>
        <style>{STYLE}</style>
      </head>
      <body>{props.children}</body>
    </html>
  );
}

/** renderPanelHome is the user panel's front page until the owners' sign-in arrives. */
export function renderPanelHome(): string {
  const html = (
    <PanelPage title="Vanta Panel">
      <h1>Vanta Panel</h1>
      <p>
        This is the user panel of a Vanta Panel server. Account owners will sign in here to manage their databases and
        password.
      </p>
      <p>
        Billing systems and scripts use the account API at <code>/?api=</code> with a bearer token issued in vWHM.
      </p>
    </PanelPage>
  ).toString();
  if (typeof html !== 'string') throw new Error('panel pages must render synchronously');
  return `<!doctype html>\n${html}\n`;
}
