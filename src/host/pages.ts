const SAFE_NAME_RE = /^[a-z0-9.-]+$/;

/** renderSuspendedPage is the page served with HTTP 503 for a suspended account. */
export function renderSuspendedPage(): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Account suspended</title>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>',
    '<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem">',
    '<h1>This account is suspended</h1>',
    '<p>The site is not available right now. If it is yours, please contact your hosting provider.</p>',
    '</body></html>',
    '',
  ].join('\n');
}

/** renderDefaultPage is the first `public_html/index.html` of a new account. */
export function renderDefaultPage(domain: string): string {
  if (!SAFE_NAME_RE.test(domain)) throw new Error('domain must be validated before rendering');
  return [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>${domain}</title>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>',
    '<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem">',
    `<h1>${domain}</h1>`,
    '<p>This site is hosted with Vanta Panel. Upload your own <code>index.html</code> to <code>public_html</code> to replace this page.</p>',
    '</body></html>',
    '',
  ].join('\n');
}
