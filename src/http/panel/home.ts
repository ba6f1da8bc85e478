import { page } from '../html.js';

/** renderPanelHome is the user panel's front page until the owners' sign-in arrives. */
export function renderPanelHome(): string {
  return page(
    'Vanta Panel',
    `<h1>Vanta Panel</h1>
<p>This is the user panel of a Vanta Panel server. Account owners will sign in here to manage their databases and password.</p>
<p>Billing systems and scripts use the account API at <code>/?api=</code> with a bearer token issued in vWHM.</p>`,
  );
}
