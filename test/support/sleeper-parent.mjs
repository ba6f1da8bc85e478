// Starts `sleep 600` as a child, prints its pid, and stays: a parent for a test to stop (SIGSTOP)
// while it kills the child, which then stays a zombie until this process runs again and reaps it.
import { spawn } from 'node:child_process';

const child = spawn('sleep', ['600'], { stdio: 'ignore' });
process.stdout.write(`${child.pid}\n`);
setInterval(() => {}, 60_000);
