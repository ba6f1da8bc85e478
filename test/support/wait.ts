/**
 * until waits until `done` holds, looking every few milliseconds. It asserts nothing about time:
 * the deadline only turns a condition that never comes into a failure instead of a hung suite.
 */
export async function until(done: () => boolean | Promise<boolean>, deadlineMs = 120_000): Promise<void> {
  const stop = Date.now() + deadlineMs;
  while (!(await done())) {
    if (Date.now() > stop) throw new Error('the awaited condition never came');
    await new Promise((r) => setTimeout(r, 10));
  }
}
