import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PHP_SOURCE_RE, renderServerBlock } from './server-block.js';

const input = {
  user: 'alice',
  domain: 'alice.example',
  listen: '8080',
  root: '/srv/homes/alice/public_html',
  suspended: false,
  suspendedRoot: '/var/lib/vanta/suspended',
  phpSocket: null,
  challengeDir: '/var/lib/vanta/acme-challenge',
  tlsListen: '443',
  tls: null,
};

/** CHALLENGE is the location every block has, active, suspended or redirecting. */
const CHALLENGE = `    location ^~ /.well-known/acme-challenge/ {
        alias "/var/lib/vanta/acme-challenge/";
        default_type text/plain;
    }`;

const TLS = { certPath: '/etc/vanta/certs/alice/v1.crt', keyPath: '/etc/vanta/certs/alice/v1.key', forceHttps: true };

/** ACTIVE_HEAD is how the active block of `input` starts, with PHP or without. */
const ACTIVE_HEAD = `# Vanta Panel: account alice. Managed file, rewritten by the panel.
server {
    listen 8080;
    server_name alice.example www.alice.example;
${CHALLENGE}
    root "/srv/homes/alice/public_html";
    disable_symlinks if_not_owner "from=/srv/homes/alice";`;

it('renders the active server block of an account without PHP exactly: .php answers 404', () => {
  assert.equal(
    renderServerBlock(input),
    `${ACTIVE_HEAD}
    index index.html index.htm;
    location ~* "\\.(?:php\\d*|phtml|pht|phps|phar)(?:[.~#_-][^/]*)?$" {
        return 404;
    }
    location / {
        try_files $uri $uri/ =404;
    }
}
`,
  );
});

it('renders the active server block of an account with PHP exactly: .php goes to its socket', () => {
  assert.equal(
    renderServerBlock({ ...input, phpSocket: '/run/php/vanta-alice.sock' }),
    `${ACTIVE_HEAD}
    index index.php index.html index.htm;
    location ~* \\.php$ {
        try_files $uri =404;
        fastcgi_pass "unix:/run/php/vanta-alice.sock";
        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
        fastcgi_param SCRIPT_NAME $fastcgi_script_name;
        fastcgi_param DOCUMENT_ROOT $document_root;
        fastcgi_param DOCUMENT_URI $document_uri;
        fastcgi_param REQUEST_URI $request_uri;
        fastcgi_param QUERY_STRING $query_string;
        fastcgi_param REQUEST_METHOD $request_method;
        fastcgi_param CONTENT_TYPE $content_type;
        fastcgi_param CONTENT_LENGTH $content_length;
        fastcgi_param SERVER_PROTOCOL $server_protocol;
        fastcgi_param REQUEST_SCHEME $scheme;
        fastcgi_param HTTPS $https if_not_empty;
        fastcgi_param GATEWAY_INTERFACE CGI/1.1;
        fastcgi_param SERVER_SOFTWARE nginx;
        fastcgi_param REMOTE_ADDR $remote_addr;
        fastcgi_param REMOTE_PORT $remote_port;
        fastcgi_param SERVER_ADDR $server_addr;
        fastcgi_param SERVER_PORT $server_port;
        fastcgi_param SERVER_NAME $server_name;
        fastcgi_param REDIRECT_STATUS 200;
        fastcgi_param HTTP_PROXY "";
    }
    location ~* "\\.(?:php\\d*|phtml|pht|phps|phar)(?:[.~#_-][^/]*)?$" {
        return 404;
    }
    location / {
        try_files $uri $uri/ /index.php?$args;
    }
}
`,
  );
});

it('the PHP source guard matches PHP under other extensions and the copies left beside scripts, not other files', () => {
  const guard = new RegExp(PHP_SOURCE_RE, 'i');
  const table: [string, boolean][] = [
    ['/index.php', true],
    ['/INDEX.PHP', true],
    ['/old.php5', true],
    ['/page.phtml', true],
    ['/page.pht', true],
    ['/show.phps', true],
    ['/tool.phar', true],
    ['/wp-config.php~', true],
    ['/wp-config.php.bak', true],
    ['/.wp-config.php.swp', true],
    ['/wp-config.php.save', true],
    ['/wp-config.php_old', true],
    ['/wp-config.php-2024', true],
    ['/#wp-config.php#', true],
    ['/upload.php.jpg', true],
    ['/index.html', false],
    ['/php/readme.txt', false],
    ['/dir.php/page.html', false],
    ['/photos.phpx', false],
    ['/graph.png', false],
  ];
  for (const [path, hit] of table) assert.equal(guard.test(path), hit, path);
});

it('renders the suspended server block exactly, with or without PHP: everything answers 503', () => {
  assert.equal(
    renderServerBlock({ ...input, suspended: true, listen: '127.0.0.1:80', phpSocket: '/run/php/vanta-alice.sock' }),
    `# Vanta Panel: account alice. Managed file, rewritten by the panel.
server {
    listen 127.0.0.1:80;
    server_name alice.example www.alice.example;
${CHALLENGE}
    root "/var/lib/vanta/suspended";
    disable_symlinks if_not_owner from=$document_root;
    error_page 503 /suspended.html;
    location = /suspended.html {
        internal;
    }
    location / {
        return 503;
    }
}
`,
  );
});

it('writes the traffic log directive after server_name, in the active block and the suspended one alike', () => {
  const accessLog = 'access_log "/var/lib/vanta/traffic/alice.log" vanta_traffic;';
  const head = `# Vanta Panel: account alice. Managed file, rewritten by the panel.
server {
    listen 8080;
    server_name alice.example www.alice.example;
    access_log "/var/lib/vanta/traffic/alice.log" vanta_traffic;
${CHALLENGE}
    root `;
  for (const suspended of [false, true]) {
    assert.ok(renderServerBlock({ ...input, suspended, accessLog }).startsWith(head), `suspended: ${suspended}`);
    assert.doesNotMatch(renderServerBlock({ ...input, suspended, accessLog: null }), /access_log/);
  }
});

it('logs HTTPS traffic to the same traffic log: both servers of a site with a certificate name it', () => {
  const accessLog = 'access_log "/var/lib/vanta/traffic/alice.log" vanta_traffic;';
  for (const forceHttps of [true, false]) {
    const text = renderServerBlock({ ...input, accessLog, tls: { ...TLS, forceHttps } });
    assert.equal(text.split(accessLog).length - 1, 2, `forceHttps: ${forceHttps}`);
    assert.match(text, /listen 443 ssl http2;\n {4}server_name alice\.example www\.alice\.example;\n {4}access_log /);
  }
});

/** ACTIVE_BODY is the body of `input`'s active block without PHP, as both servers of a TLS site repeat it. */
const ACTIVE_BODY = `    root "/srv/homes/alice/public_html";
    disable_symlinks if_not_owner "from=/srv/homes/alice";
    index index.html index.htm;
    location ~* "\\.(?:php\\d*|phtml|pht|phps|phar)(?:[.~#_-][^/]*)?$" {
        return 404;
    }
    location / {
        try_files $uri $uri/ =404;
    }`;

it('renders a site with a certificate and force_https exactly: plain HTTP answers challenges and redirects, TLS serves the site', () => {
  assert.equal(
    renderServerBlock({ ...input, tls: TLS }),
    `# Vanta Panel: account alice. Managed file, rewritten by the panel.
server {
    listen 8080;
    server_name alice.example www.alice.example;
${CHALLENGE}
    location / {
        return 301 https://$host$request_uri;
    }
}
server {
    listen 443 ssl http2;
    server_name alice.example www.alice.example;
    ssl_certificate "/etc/vanta/certs/alice/v1.crt";
    ssl_certificate_key "/etc/vanta/certs/alice/v1.key";
${ACTIVE_BODY}
}
`,
  );
});

it('renders a site with a certificate and force_https off exactly: both servers serve the site', () => {
  assert.equal(
    renderServerBlock({ ...input, tlsListen: '127.0.0.1:8443', tls: { ...TLS, forceHttps: false } }),
    `# Vanta Panel: account alice. Managed file, rewritten by the panel.
server {
    listen 8080;
    server_name alice.example www.alice.example;
${CHALLENGE}
${ACTIVE_BODY}
}
server {
    listen 127.0.0.1:8443 ssl http2;
    server_name alice.example www.alice.example;
    ssl_certificate "/etc/vanta/certs/alice/v1.crt";
    ssl_certificate_key "/etc/vanta/certs/alice/v1.key";
${ACTIVE_BODY}
}
`,
  );
});

it('renders a suspended site with a certificate exactly: the 503 page over HTTPS too, the redirect keeps a port other than 443', () => {
  const suspendedBody = `    root "/var/lib/vanta/suspended";
    disable_symlinks if_not_owner from=$document_root;
    error_page 503 /suspended.html;
    location = /suspended.html {
        internal;
    }
    location / {
        return 503;
    }`;
  assert.equal(
    renderServerBlock({ ...input, suspended: true, tlsListen: '[::1]:8443', tls: TLS }),
    `# Vanta Panel: account alice. Managed file, rewritten by the panel.
server {
    listen 8080;
    server_name alice.example www.alice.example;
${CHALLENGE}
    location / {
        return 301 https://$host:8443$request_uri;
    }
}
server {
    listen [::1]:8443 ssl http2;
    server_name alice.example www.alice.example;
    ssl_certificate "/etc/vanta/certs/alice/v1.crt";
    ssl_certificate_key "/etc/vanta/certs/alice/v1.key";
${suspendedBody}
}
`,
  );
});

it('refuses values that could break out of the config', () => {
  assert.throws(() => renderServerBlock({ ...input, domain: 'a.example; include /etc/passwd' }));
  assert.throws(() => renderServerBlock({ ...input, root: '/srv/x"; }' }));
  assert.throws(() => renderServerBlock({ ...input, root: 'relative/path' }));
  assert.throws(() => renderServerBlock({ ...input, root: '/srv/$host' }));
  assert.throws(() => renderServerBlock({ ...input, listen: '80; ssl' }));
  assert.throws(() => renderServerBlock({ ...input, tls: TLS, tlsListen: '443; include /x' }));
  assert.throws(() => renderServerBlock({ ...input, tls: { ...TLS, keyPath: '/etc/x"; }' } }));
  assert.throws(() => renderServerBlock({ ...input, challengeDir: '/var/$host' }));
  for (const socket of ['/run/php/a.sock; include /etc/passwd', '/run/php/a sock', 'run/a.sock', '/run/$host.sock'])
    assert.throws(
      () => renderServerBlock({ ...input, phpSocket: socket }),
      /cannot be used in an nginx config/,
      socket,
    );
});
