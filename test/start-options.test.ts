import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { PANEL_NODE_ARGS } from '../bench/support/panel-process.js';

// The benchmark must start the panel as users do: `npm start` and the README's systemd unit.
it('npm start, the systemd unit and the benchmark give vanta serve the same Node options', () => {
  const root = new URL('../', import.meta.url);
  const start = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: { start: string } })
    .scripts.start;
  const unit = /^ExecStart=(.*)$/m.exec(readFileSync(new URL('README.md', root), 'utf8'))?.[1] ?? '';
  const options = (command: string) => command.split(' ').filter((word) => word.startsWith('--'));
  assert.ok(PANEL_NODE_ARGS.length > 0);
  assert.deepEqual(options(start), [...PANEL_NODE_ARGS]);
  assert.deepEqual(options(unit), [...PANEL_NODE_ARGS]);
});
