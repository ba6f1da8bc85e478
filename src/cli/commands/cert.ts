import type { Command } from 'commander';
import { listCertificates } from '../../app/list-certificates.js';
import { issueCertificateNow, renewCertificateNow } from '../../app/renew-certificate.js';
import { setForceHttps } from '../../app/set-force-https.js';
import { DomainError } from '../../domain/errors.js';
import { certificateJson } from '../../presenters/certificate.js';
import { type Cli, table } from '../cli.js';

/** registerCertCommands adds `vanta cert list|issue|renew|force-https`. */
export function registerCertCommands(program: Command, cli: Cli): void {
  const cert = program.command('cert').description("the sites' TLS certificates (ACME)");
  cert
    .command('list')
    .description('list every certificate: status, expiry, next attempt, last error')
    .option('--json', 'print JSON')
    .action(async () =>
      cli.run(async (ctx) => {
        const certs = await listCertificates(ctx);
        cli.print(
          { certificates: certs.map(certificateJson) },
          `${table([
            ['USER', 'DOMAIN', 'STATUS', 'EXPIRES', 'NEXT ATTEMPT', 'LAST ERROR'],
            ...certs.map((c) => [
              c.account,
              c.domain,
              c.status,
              c.notAfter ?? '-',
              c.nextAttemptAt ?? '-',
              c.lastError ?? '-',
            ]),
          ])}${certs.length} certificate(s)\n`,
        );
      }),
    );
  for (const [verb, description, fn] of [
    ['issue', "issue the account's certificate now and install it (waits for the CA)", issueCertificateNow],
    ['renew', "renew the account's installed certificate now, whenever it is due", renewCertificateNow],
  ] as const) {
    cert
      .command(`${verb} <user>`)
      .description(description)
      .option('--json', 'print JSON')
      .action(async (user: string) =>
        cli.run(async (ctx) => {
          const attempt = await cli.change(ctx, `certificate.${verb}`, user, { user }, () => fn(ctx, user));
          cli.print(
            { ok: true, user, not_after: attempt.notAfter ?? null },
            `certificate of ${user} installed, valid until ${attempt.notAfter ?? '-'}\n`,
          );
        }),
      );
  }
  cert
    .command('force-https <user> <on|off>')
    .description('redirect the site from HTTP to HTTPS (on, the default once a certificate exists) or not')
    .option('--json', 'print JSON')
    .action(async (user: string, value: string) =>
      cli.run(async (ctx) => {
        if (value !== 'on' && value !== 'off')
          throw new DomainError('invalid_parameter', 'force-https takes "on" or "off"', { param: 'value' });
        await cli.change(ctx, 'certificate.force_https', user, { user, on: value === 'on' }, () =>
          setForceHttps(ctx, user, value === 'on'),
        );
        cli.print({ ok: true, user, force_https: value === 'on' }, `force_https of ${user} is ${value}\n`);
      }),
    );
}
