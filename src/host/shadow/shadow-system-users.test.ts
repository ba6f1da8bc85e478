import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { ShadowSystemUsers } from './shadow-system-users.js';

/** fakeUseradd starts a process that looks like `useradd ... USER` to /proc (its argv[0] and last argument) for `ms`. */
function fakeUseradd(user: string, ms: number) {
  const child = spawn(process.execPath, ['-e', `setTimeout(() => {}, ${ms})`, user], {
    argv0: 'useradd',
    stdio: 'ignore',
  });
  const ended = new Promise((resolve) => child.once('exit', resolve));
  // Give it the time to start before the removal looks.
  const started = new Promise((resolve) => setTimeout(resolve, 100));
  return { child, ended, started };
}

/** removeMissing removes a user that does not exist, as the undo of an interrupted create does. */
function removeMissing(user: string): Promise<void> {
  return new ShadowSystemUsers('/nonexistent-homes', 10_000, 0).remove(user, `/nonexistent-homes/${user}`);
}

/**
 * Finding (CI, host chaos test): a `vanta account create` killed while its useradd ran left a system user
 * and a home without an account. The useradd ran on after its process died; the server's recovery undid
 * the create meanwhile, found no user yet to remove, and the useradd made it afterwards. A removal that
 * finds no user now waits for a useradd of that user still running.
 */
describe('removing a user whose useradd still runs (started by a process killed mid-create)', () => {
  it('waits for that useradd to end before it looks for the user', async () => {
    const user = `vtestgone${process.pid}`;
    const useradd = fakeUseradd(user, 400);
    try {
      await useradd.started;
      await removeMissing(user);
      assert.notEqual(useradd.child.exitCode, null, 'the removal ended while the useradd still ran');
    } finally {
      useradd.child.kill('SIGKILL');
      await useradd.ended;
    }
  });

  it('does not wait for a useradd of another user', async () => {
    const other = fakeUseradd('someoneelse', 10_000);
    try {
      await other.started;
      await removeMissing(`vtestnone${process.pid}`);
      assert.equal(other.child.exitCode, null, 'it returned without waiting for the other useradd');
    } finally {
      other.child.kill('SIGKILL');
      await other.ended;
    }
  });
});
