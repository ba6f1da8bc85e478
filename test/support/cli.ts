import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** VANTA_BIN is the real `vanta` executable of this checkout (built by `npm run build`). */
export const VANTA_BIN = fileURLToPath(new URL('../../bin/vanta.js', import.meta.url));

/** runVanta runs the real binary with a data directory, optional stdin, extra VANTA_* variables and Node options, and collects its output. */
export function runVanta(
  dataDir: string,
  args: string[],
  stdin?: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, VANTA_BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', VANTA_DATA_DIR: dataDir, VANTA_ACME_DIRECTORY: 'off', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}
