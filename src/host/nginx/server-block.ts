import { dirname } from 'node:path';

/** ServerBlockInput is everything one account's server block depends on. */
export interface ServerBlockInput {
  user: string;
  domain: string;
  listen: string;
  root: string;
  suspended: boolean;
  suspendedRoot: string;
}

const SAFE_PATH_RE = /^\/[^"\\;{}$\s\p{Cc}]*$/u;
const SAFE_LISTEN_RE = /^(?:\[[0-9a-f:.]+\]:|[0-9.]+:)?[0-9]{1,5}$/i;
const SAFE_NAME_RE = /^[a-z0-9.-]+$/;

/**
 * quotePath renders a path (after an optional `prefix`, such as `from=`) as a quoted nginx string,
 * after refusing characters nginx would treat specially.
 */
export function quotePath(value: string, prefix = ''): string {
  const path = value.slice(prefix.length);
  if (!value.startsWith(prefix) || !SAFE_PATH_RE.test(path))
    throw new Error(`path cannot be used in an nginx config: ${JSON.stringify(path)}`);
  return `"${value}"`;
}

/** renderServerBlock renders one account's nginx server block, active or suspended. */
export function renderServerBlock(input: ServerBlockInput): string {
  if (!SAFE_NAME_RE.test(input.domain) || !SAFE_NAME_RE.test(input.user)) {
    throw new Error('domain and user must be validated before rendering');
  }
  if (!SAFE_LISTEN_RE.test(input.listen)) throw new Error(`invalid listen address: ${input.listen}`);
  const head = [
    `# Vanta Panel: account ${input.user}. Managed file, rewritten by the panel.`,
    'server {',
    `    listen ${input.listen};`,
    `    server_name ${input.domain} www.${input.domain};`,
  ];
  // Nothing reached through a link the account planted is served: a link is followed only when
  // it and its target have the same owner. For the site, the check starts at the home, so a
  // `public_html` replaced by a link is caught too; the suspended page's root is the panel's own.
  const body = input.suspended
    ? [
        `    root ${quotePath(input.suspendedRoot)};`,
        '    disable_symlinks if_not_owner from=$document_root;',
        '    error_page 503 /suspended.html;',
        '    location = /suspended.html {',
        '        internal;',
        '    }',
        '    location / {',
        '        return 503;',
        '    }',
      ]
    : [
        `    root ${quotePath(input.root)};`,
        `    disable_symlinks if_not_owner ${quotePath(`from=${dirname(input.root)}`, 'from=')};`,
        '    index index.html index.htm;',
        '    location / {',
        '        try_files $uri $uri/ =404;',
        '    }',
      ];
  return `${[...head, ...body, '}'].join('\n')}\n`;
}
