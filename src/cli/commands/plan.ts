import type { Command } from 'commander';
import { addPlan, deletePlan, listPlans, parsePlanLimits } from '../../app/plans.js';
import { planJson } from '../../presenters/plan.js';
import { type Cli, table } from '../cli.js';

/** registerPlanCommands adds `vanta plan add|list|delete`. */
export function registerPlanCommands(program: Command, cli: Cli): void {
  const plan = program.command('plan').description('hosting plans');
  plan
    .command('add <name>')
    .description('add a plan; a limit left out is unlimited')
    .option('--disk-mb <n>', 'disk quota in MiB')
    .option('--max-databases <n>', 'databases per account')
    .option('--bandwidth-mb <n>', 'bandwidth in MiB a month')
    .option('--max-addon-domains <n>', 'addon domains per account')
    .option('--max-email-accounts <n>', 'email accounts per account')
    .option('--shell', 'allow shell access')
    .option('--no-php', 'no PHP: .php files are refused, never run or shown')
    .option('--php-max-children <n>', 'PHP workers an account runs at once (default 5)')
    .option('--php-memory-mb <n>', "each PHP worker's memory limit in MiB (default 256)")
    .option('--json', 'print JSON')
    .action(
      async (
        name: string,
        o: {
          diskMb?: string;
          maxDatabases?: string;
          bandwidthMb?: string;
          maxAddonDomains?: string;
          maxEmailAccounts?: string;
          shell?: boolean;
          php: boolean;
          phpMaxChildren?: string;
          phpMemoryMb?: string;
        },
      ) => {
        const limits = parsePlanLimits({
          disk_mb: o.diskMb,
          max_databases: o.maxDatabases,
          bandwidth_mb: o.bandwidthMb,
          max_addon_domains: o.maxAddonDomains,
          max_email_accounts: o.maxEmailAccounts,
          shell: o.shell === true,
          php: o.php,
          php_max_children: o.phpMaxChildren,
          php_memory_mb: o.phpMemoryMb,
        });
        await cli.run(async (ctx) => {
          const p = await cli.change(ctx, 'plan.add', name, { name, ...limits }, () => addPlan(ctx, name, limits));
          cli.print({ ok: true, plan: planJson(p) }, `Added plan ${p.name}.\n`);
        });
      },
    );
  plan
    .command('list')
    .description('list plans')
    .option('--json', 'print JSON')
    .action(async () =>
      cli.run(async (ctx) => {
        const plans = await listPlans(ctx);
        const n = (v: number | null) => (v === null ? 'unlimited' : String(v));
        cli.print(
          plans.map(planJson),
          table([
            ['NAME', 'DISK MB', 'DATABASES', 'BANDWIDTH MB', 'ADDON DOMAINS', 'EMAIL', 'SHELL', 'PHP'],
            ...plans.map((p) => [
              p.name,
              n(p.diskMb),
              n(p.maxDatabases),
              n(p.bandwidthMb),
              n(p.maxAddonDomains),
              n(p.maxEmailAccounts),
              p.shell ? 'yes' : 'no',
              p.php ? `${p.phpMaxChildren} x ${p.phpMemoryMb} MiB` : 'off',
            ]),
          ]),
        );
      }),
    );
  plan
    .command('delete <name>')
    .description('delete a plan no account uses')
    .option('--json', 'print JSON')
    .action(async (name: string) =>
      cli.run(async (ctx) => {
        await cli.change(ctx, 'plan.delete', name, { name }, () => deletePlan(ctx, name));
        cli.print({ ok: true, plan: name }, `Deleted plan ${name}.\n`);
      }),
    );
}
