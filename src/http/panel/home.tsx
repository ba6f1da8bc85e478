import type { Child } from 'hono/jsx';

/** PanelPage is the user panel's plain document shell: nothing inline, so its policy allows the panel's own files only. */
export function PanelPage(props: { title: string; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title}</title>
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
