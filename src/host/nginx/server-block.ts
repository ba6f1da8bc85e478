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

/** quotePath renders a path as a quoted nginx string after refusing characters nginx would treat specially. */
export function quotePath(path: string): string {
  if (!SAFE_PATH_RE.test(path)) throw new Error(`path cannot be used in an nginx config: ${JSON.stringify(path)}`);
  return `"${path}"`;
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
  const body = input.suspended
    ? [
        `    root ${quotePath(input.suspendedRoot)};`,
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
        '    index index.html index.htm;',
        '    location / {',
        '        try_files $uri $uri/ =404;',
        '    }',
      ];
  return `${[...head, ...body, '}'].join('\n')}\n`;
}
