import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type Config, loadConfig } from '../../src/config.js';

/** SCREENSHOTS is where the browser walks leave their screenshots. */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** launchChromium starts Debian's Chromium, headless, and makes the screenshot folder. */
export async function launchChromium(): Promise<Browser> {
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** screenshot saves a whole page as `<name>.png` in SCREENSHOTS. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** watchCsp collects into `errors` what the page's console says the Content-Security-Policy refused. */
export function watchCsp(page: Page, errors: string[]): void {
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content.Security.Policy|Refused to/i.test(msg.text())) errors.push(msg.text());
  });
}

/** loopbackConfig is the configuration of a `serve` for a browser walk: both listeners on free loopback ports. */
export function loopbackConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    VANTA_DATA_DIR: dataDir,
    VANTA_ACME_DIRECTORY: 'off',
    VANTA_HOST: '127.0.0.1',
    VANTA_PANEL_PORT: '0',
    VANTA_WHM_PORT: '0',
    ...env,
  });
}

/** portOf is the port a listening server was given. */
export function portOf(server: FastifyInstance): number {
  const address = server.server.address();
  assert.ok(address && typeof address === 'object');
  return address.port;
}
