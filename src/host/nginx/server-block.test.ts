import assert from 'node:assert/strict';
import { it } from 'node:test';
import { renderServerBlock } from './server-block.js';

const input = {
  user: 'alice',
  domain: 'alice.example',
  listen: '8080',
  root: '/srv/homes/alice/public_html',
  suspended: false,
  suspendedRoot: '/var/lib/vanta/suspended',
};

it('renders the active server block exactly', () => {
  assert.equal(
    renderServerBlock(input),
    `# Vanta Panel: account alice. Managed file, rewritten by the panel.
server {
    listen 8080;
    server_name alice.example www.alice.example;
    root "/srv/homes/alice/public_html";
    disable_symlinks if_not_owner "from=/srv/homes/alice";
    index index.html index.htm;
    location / {
        try_files $uri $uri/ =404;
    }
}
`,
  );
});

it('renders the suspended server block exactly', () => {
  assert.equal(
    renderServerBlock({ ...input, suspended: true, listen: '127.0.0.1:80' }),
    `# Vanta Panel: account alice. Managed file, rewritten by the panel.
server {
    listen 127.0.0.1:80;
    server_name alice.example www.alice.example;
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

it('refuses values that could break out of the config', () => {
  assert.throws(() => renderServerBlock({ ...input, domain: 'a.example; include /etc/passwd' }));
  assert.throws(() => renderServerBlock({ ...input, root: '/srv/x"; }' }));
  assert.throws(() => renderServerBlock({ ...input, root: 'relative/path' }));
  assert.throws(() => renderServerBlock({ ...input, root: '/srv/$host' }));
  assert.throws(() => renderServerBlock({ ...input, listen: '80; ssl' }));
});
