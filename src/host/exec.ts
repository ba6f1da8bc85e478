import { spawn } from 'node:child_process';

/** ExecOptions tune one command run: what goes on stdin and how long it may take. */
export interface ExecOptions {
  /** input is written to stdin and closed; secrets travel here, never in argv. */
  input?: string;
  timeoutMs?: number;
  /** okCodes are exit codes that count as success besides 0. */
  okCodes?: readonly number[];
}

/** ExecResult is what a finished command printed and how it exited. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** CommandError is a command that failed, timed out or could not start; it names the program, not the input. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly stderr: string,
    message: string,
  ) {
    super(message);
  }
}

/** DEFAULT_TIMEOUT_MS bounds every host command; a hung tool must not hold an account lock for ever. */
export const DEFAULT_TIMEOUT_MS = 30_000;

const MAX_OUTPUT = 1 << 20;

/** runCommand is the one place that starts host processes: argument arrays, no shell, a timeout always. */
export function runCommand(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
      // 'close' waits for every holder of the pipes: a child the command left running would keep it pending.
      child.stdout.destroy();
      child.stderr.destroy();
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += d;
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new CommandError(file, null, '', `${file} could not be started: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new CommandError(file, null, stderr, `${file} timed out after ${timeoutMs} ms`));
        return;
      }
      const exit = code ?? -1;
      if (exit === 0 || opts.okCodes?.includes(exit)) {
        resolve({ code: exit, stdout, stderr });
        return;
      }
      const why = signal ? `was killed by ${signal}` : `exited with ${exit}`;
      const detail = stderr.trim().split('\n').slice(-3).join(' / ');
      reject(new CommandError(file, exit, stderr, `${file} ${why}${detail ? `: ${detail}` : ''}`));
    });
  });
}
