import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError } from '../domain/errors.js';
import { type Step, runSteps } from './steps.js';

const logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Gate is a promise a test settles when it chooses. */
function gate(): { promise: Promise<void>; open: () => void; fail: (err: Error) => void } {
  let open: () => void = () => {};
  let fail: (err: Error) => void = () => {};
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

/** World records, in order, what the steps and the journal did. */
function world() {
  const events: string[] = [];
  const step = (name: string, run: () => Promise<void> = async () => {}, extra: Partial<Step> = {}): Step => ({
    name,
    run: async () => {
      events.push(`start ${name}`);
      await run();
      events.push(`end ${name}`);
    },
    undo: async () => {
      events.push(`undo ${name}`);
    },
    ...extra,
  });
  const journal = async (s: Step) => {
    events.push(`journal ${s.name}`);
  };
  return { events, step, journal };
}

/** settle lets every pending callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('steps that run alongside the ones after them', () => {
  it('overlap the steps up to the one named, and the steps after it wait for both', async () => {
    const { events, step, journal } = world();
    const slow = gate();
    const running = runSteps(
      [step('a'), step('bg', () => slow.promise, { alongsideUntil: 'c' }), step('b'), step('c'), step('d')],
      logger,
      {},
      journal,
    );
    await settle();
    assert.deepEqual(events, [
      'journal a',
      'start a',
      'end a',
      'journal bg',
      'start bg',
      'journal b',
      'start b',
      'end b',
      'journal c',
      'start c',
      'end c',
    ]);
    slow.open();
    await running;
    assert.deepEqual(events.slice(-4), ['end bg', 'journal d', 'start d', 'end d']);
  });

  it('a failure of the step alongside is told under its name, after the steps it overlapped ended; all are undone', async () => {
    const { events, step, journal } = world();
    const slow = gate();
    const c = gate();
    const running = runSteps(
      [step('a'), step('bg', () => slow.promise, { alongsideUntil: 'c' }), step('b'), step('c', () => c.promise)],
      logger,
      {},
      journal,
    );
    slow.fail(new Error('php-fpm refused'));
    await settle();
    assert.ok(!events.some((e) => e.startsWith('undo')), 'nothing is undone while c still runs');
    c.open();
    await assert.rejects(running, (err: unknown) => {
      assert.ok(isDomainError(err));
      assert.equal(err.code, 'provisioning_failed');
      assert.deepEqual(err.details, { step: 'bg' });
      return true;
    });
    assert.deepEqual(events.slice(events.indexOf('end c')), ['end c', 'undo c', 'undo b', 'undo a']);
  });

  it('a failure of an overlapped step waits for the step alongside, and undoes it in the order it started', async () => {
    const { events, step, journal } = world();
    const slow = gate();
    const running = runSteps(
      [
        step('a'),
        step('bg', () => slow.promise, { alongsideUntil: 'c' }),
        step('b'),
        step('c', async () => {
          throw new Error('nginx -t refused');
        }),
      ],
      logger,
      {},
      journal,
    );
    await settle();
    assert.ok(!events.some((e) => e.startsWith('undo')), 'nothing is undone while bg still runs');
    slow.open();
    await assert.rejects(running, (err: unknown) => isDomainError(err) && err.details?.step === 'c');
    assert.deepEqual(events.slice(events.indexOf('end bg')), ['end bg', 'undo b', 'undo bg', 'undo a']);
  });
});

describe('when the step alongside and an overlapped step both fail', () => {
  it('the overlapped failure is logged under its own step too, not lost', async () => {
    const { step, journal } = world();
    const slow = gate();
    const logged: Array<{ step: unknown; err: unknown }> = [];
    const capture = {
      ...logger,
      error: (obj: Record<string, unknown>) => logged.push({ step: obj.step, err: obj.err }),
    };
    const nginx = new Error('nginx -t refused');
    const running = runSteps(
      [
        step('a'),
        step('bg', () => slow.promise, { alongsideUntil: 'c' }),
        step('c', async () => {
          throw nginx;
        }),
      ],
      capture,
      {},
      journal,
    );
    await settle();
    slow.fail(new Error('php-fpm refused'));
    await assert.rejects(running, (err: unknown) => isDomainError(err) && err.details?.step === 'bg');
    assert.ok(
      logged.some((l) => l.step === 'c' && l.err === nginx),
      `c's failure is in the log: ${JSON.stringify(logged.map((l) => l.step))}`,
    );
  });
});

describe('a failed step that may still take effect (a reload nginx confirmed too late)', () => {
  it('has its undoFailed run after every other undo, the undoLast ones included', async () => {
    const { events, step, journal } = world();
    const failed = step(
      'reload',
      async () => {
        throw new Error('no new worker within the wait');
      },
      {
        undoFailed: async () => {
          events.push('request reload');
        },
      },
    );
    await assert.rejects(
      runSteps([step('a'), step('late', async () => {}, { undoLast: true }), step('b'), failed], logger, {}, journal),
      (err: unknown) => isDomainError(err) && err.details?.step === 'reload',
    );
    assert.deepEqual(events.slice(events.indexOf('start reload') + 1), [
      'undo b',
      'undo a',
      'undo late',
      'request reload',
    ]);
  });

  it('has it run when it failed alongside the failure told, and a failing undoFailed is logged, not thrown', async () => {
    const { events, step, journal } = world();
    const slow = gate();
    const logged: string[] = [];
    const capture = { ...logger, error: (_obj: Record<string, unknown>, msg: string) => logged.push(msg) };
    const running = runSteps(
      [
        step('bg', () => slow.promise, { alongsideUntil: 'reload' }),
        step(
          'reload',
          async () => {
            throw new Error('no new worker within the wait');
          },
          {
            undoFailed: async () => {
              events.push('request reload');
              throw new Error('no master');
            },
          },
        ),
      ],
      capture,
      {},
      journal,
    );
    await settle();
    slow.fail(new Error('php-fpm refused'));
    await assert.rejects(running, (err: unknown) => isDomainError(err) && err.details?.step === 'bg');
    assert.equal(events.at(-1), 'request reload');
    assert.ok(logged.includes('undo of a failed step failed'), JSON.stringify(logged));
  });
});
