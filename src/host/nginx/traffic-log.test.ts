import assert from 'node:assert/strict';
import { it } from 'node:test';
import { renderTrafficAccessLog, renderTrafficLogFormat, trafficLogPath } from './traffic-log.js';

it('renders the http-level log format exactly', () => {
  assert.equal(
    renderTrafficLogFormat(),
    `# Vanta Panel: the format of the per-account traffic logs. Managed file, rewritten by the panel.
log_format vanta_traffic '$msec $bytes_sent $request_length';
`,
  );
});

it('renders the access_log directive of a server block exactly', () => {
  const rows: [Parameters<typeof renderTrafficAccessLog>, string][] = [
    [['/var/lib/vanta/traffic/alice.log', null], 'access_log "/var/lib/vanta/traffic/alice.log" vanta_traffic;'],
    [
      ['/var/lib/vanta/traffic/alice.log', { bytes: 4096, flushSeconds: 60 }],
      'access_log "/var/lib/vanta/traffic/alice.log" vanta_traffic buffer=4096 flush=60s;',
    ],
    [
      ['/srv/panel-data/traffic/bob.log', { bytes: 1024 * 1024, flushSeconds: 1 }],
      'access_log "/srv/panel-data/traffic/bob.log" vanta_traffic buffer=1048576 flush=1s;',
    ],
  ];
  for (const [args, expected] of rows) assert.equal(renderTrafficAccessLog(...args), expected);
});

it('refuses paths and buffers nginx would misread', () => {
  assert.throws(() => renderTrafficAccessLog('relative/alice.log', null));
  assert.throws(() => renderTrafficAccessLog('/var/log/$host.log', null));
  assert.throws(() => renderTrafficAccessLog('/var/log/a.log"; include /etc/shadow; #', null));
  assert.throws(() => renderTrafficAccessLog('/v/a.log', { bytes: 100, flushSeconds: 5 }), /1 KiB to 1 MiB/);
  assert.throws(() => renderTrafficAccessLog('/v/a.log', { bytes: 4096.5, flushSeconds: 5 }), /1 KiB to 1 MiB/);
  assert.throws(() => renderTrafficAccessLog('/v/a.log', { bytes: 4096, flushSeconds: 0 }), /1 to 3600/);
});

it('names an account log after the account, refusing names that could leave the directory', () => {
  assert.equal(trafficLogPath('/var/lib/vanta/traffic', 'alice'), '/var/lib/vanta/traffic/alice.log');
  assert.throws(() => trafficLogPath('/d', '../etc/passwd'));
  assert.throws(() => trafficLogPath('/d', '00-vanta-log-format'));
  assert.throws(() => trafficLogPath('/d', ''));
});
