import { dirname } from 'node:path';
import type { SiteTls } from '../ports.js';

/** ServerBlockInput is everything one account's server block depends on. */
export interface ServerBlockInput {
  user: string;
  domain: string;
  listen: string;
  root: string;
  suspended: boolean;
  suspendedRoot: string;
  /** phpSocket is the account's PHP-FPM socket that `*.php` goes to; null when PHP is off. */
  phpSocket: string | null;
  /** accessLog is the `access_log` directive of the account's traffic log (renderTrafficAccessLog); none when absent. */
  accessLog?: string | null;
  /** challengeDir holds the panel's http-01 answers, served at `/.well-known/acme-challenge/`. */
  challengeDir: string;
  /** tlsListen is what the TLS server listens on once the account has a certificate. */
  tlsListen: string;
  /** tls is the account's installed certificate; null: plain HTTP only. */
  tls: SiteTls | null;
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

/**
 * PHP_SOURCE_RE matches what must never be sent as text: PHP under any extension php-fpm will not
 * run (`.php5`, `.phtml`, `.phar`, `.phps`...) and the copies editors and people leave beside a
 * script (`wp-config.php~`, `.wp-config.php.swp`, `wp-config.php.bak`, `#index.php#`), in any case.
 * Quoted in the block: `#` would start a comment.
 */
export const PHP_SOURCE_RE = '\\.(?:php\\d*|phtml|pht|phps|phar)(?:[.~#_-][^/]*)?$';

/** FASTCGI_PARAMS are the FastCGI parameters, written out so the block does not depend on a distribution's `fastcgi_params`. */
const FASTCGI_PARAMS: readonly (readonly [string, string])[] = [
  ['SCRIPT_FILENAME', '$document_root$fastcgi_script_name'],
  ['SCRIPT_NAME', '$fastcgi_script_name'],
  ['DOCUMENT_ROOT', '$document_root'],
  ['DOCUMENT_URI', '$document_uri'],
  ['REQUEST_URI', '$request_uri'],
  ['QUERY_STRING', '$query_string'],
  ['REQUEST_METHOD', '$request_method'],
  ['CONTENT_TYPE', '$content_type'],
  ['CONTENT_LENGTH', '$content_length'],
  ['SERVER_PROTOCOL', '$server_protocol'],
  ['REQUEST_SCHEME', '$scheme'],
  ['HTTPS', '$https if_not_empty'],
  ['GATEWAY_INTERFACE', 'CGI/1.1'],
  ['SERVER_SOFTWARE', 'nginx'],
  ['REMOTE_ADDR', '$remote_addr'],
  ['REMOTE_PORT', '$remote_port'],
  ['SERVER_ADDR', '$server_addr'],
  ['SERVER_PORT', '$server_port'],
  ['SERVER_NAME', '$server_name'],
  ['REDIRECT_STATUS', '200'],
  // httpoxy: a client's `Proxy:` header must not become the application's HTTP_PROXY.
  ['HTTP_PROXY', '""'],
];

/**
 * renderPhpLocation renders the lines that hand `*.php` to the account's socket. The file must exist
 * first (`try_files $uri =404`), so `/upload.jpg/x.php` never reaches PHP; the match ignores case,
 * so `X.PHP` goes to php-fpm (which refuses it: only `.php` runs) and is never sent as text.
 */
function renderPhpLocation(socketPath: string): string[] {
  return [
    '    location ~* \\.php$ {',
    '        try_files $uri =404;',
    `        fastcgi_pass ${quotePath(`unix:${socketPath}`, 'unix:')};`,
    ...FASTCGI_PARAMS.map(([k, v]) => `        fastcgi_param ${k} ${v};`),
    '    }',
  ];
}

/**
 * renderPhpSourceGuard renders the location that answers 404 for PHP source in any other form, and
 * for `*.php` itself when PHP is off: with PHP or without, PHP source is never sent as text. It
 * follows the PHP location, so `*.php` runs while PHP is on (regular expressions match in order).
 */
function renderPhpSourceGuard(): string[] {
  return [`    location ~* "${PHP_SOURCE_RE}" {`, '        return 404;', '    }'];
}

/**
 * renderChallengeLocation renders the location that answers ACME http-01 challenges from the
 * panel's own directory, before any other location can (`^~` stops the regular expressions), in
 * every block: active, suspended or redirecting.
 */
function renderChallengeLocation(challengeDir: string): string[] {
  return [
    '    location ^~ /.well-known/acme-challenge/ {',
    `        alias ${quotePath(`${challengeDir.replace(/\/+$/, '')}/`)};`,
    '        default_type text/plain;',
    '    }',
  ];
}

/** httpsRedirect is where plain HTTP is sent: the same host and path over HTTPS, with the port unless it is 443. */
function httpsRedirect(tlsListen: string): string {
  const port = /([0-9]+)$/.exec(tlsListen)?.[1] ?? '443';
  return port === '443' ? 'https://$host$request_uri' : `https://$host:${port}$request_uri`;
}

/**
 * renderServerBlock renders one account's nginx server block, active or suspended. With PHP on,
 * `*.php` goes to the account's pool and a request for a file that is not there goes to its
 * `index.php` (as WordPress and most PHP applications expect), or 404 when there is none; with PHP
 * off, `*.php` answers 404. Either way PHP source is never sent as text. Every block answers ACME
 * challenges; with a certificate a TLS server serves the same site (or the same 503 page), and
 * plain HTTP redirects to it when `forceHttps` is on.
 */
export function renderServerBlock(input: ServerBlockInput): string {
  if (!SAFE_NAME_RE.test(input.domain) || !SAFE_NAME_RE.test(input.user)) {
    throw new Error('domain and user must be validated before rendering');
  }
  if (!SAFE_LISTEN_RE.test(input.listen)) throw new Error(`invalid listen address: ${input.listen}`);
  if (input.tls && !SAFE_LISTEN_RE.test(input.tlsListen))
    throw new Error(`invalid TLS listen address: ${input.tlsListen}`);
  const names = `    server_name ${input.domain} www.${input.domain};`;
  // Both servers log to the account's traffic log: bandwidth over HTTPS counts as over HTTP.
  const log = input.accessLog ? [`    ${input.accessLog}`] : [];
  const head = [
    `# Vanta Panel: account ${input.user}. Managed file, rewritten by the panel.`,
    'server {',
    `    listen ${input.listen};`,
    names,
    ...log,
    ...renderChallengeLocation(input.challengeDir),
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
        ...(input.phpSocket === null
          ? ['    index index.html index.htm;', ...renderPhpSourceGuard()]
          : [
              '    index index.php index.html index.htm;',
              ...renderPhpLocation(input.phpSocket),
              ...renderPhpSourceGuard(),
            ]),
        '    location / {',
        `        try_files $uri $uri/ ${input.phpSocket === null ? '=404' : '/index.php?$args'};`,
        '    }',
      ];
  if (input.tls === null) return `${[...head, ...body, '}'].join('\n')}\n`;
  const plain = input.tls.forceHttps
    ? ['    location / {', `        return 301 ${httpsRedirect(input.tlsListen)};`, '    }']
    : body;
  const secure = [
    'server {',
    `    listen ${input.tlsListen} ssl http2;`,
    names,
    ...log,
    `    ssl_certificate ${quotePath(input.tls.certPath)};`,
    `    ssl_certificate_key ${quotePath(input.tls.keyPath)};`,
    ...body,
    '}',
  ];
  return `${[...head, ...plain, '}', ...secure].join('\n')}\n`;
}
