import type { AppContext } from '../ports.js';
import type { Step } from '../steps.js';

/** JournalParams are what the journal records of an operation: never a secret, only what recovery needs. */
export type JournalParams = Record<string, string | number | boolean | null>;

/**
 * Operation is one journalled operation: its steps, what the journal records of it, and how
 * start-up recovery ends a run that a killed process cut short. The use case and recovery build
 * the steps with the same `steps`, so the two cannot disagree; the journal records each step by
 * name, so adding a step is adding it to the list.
 *
 * `P` is what the journal records, `I` what the steps need (the live run may know more, such as
 * a password, which recovery never has).
 */
export interface Operation<P extends JournalParams, I> {
  /** name is the operation's key in the journal and its name in logs and the audit log. */
  readonly name: string;
  /**
   * recovery says how a cut-short run ends: `finish` re-runs the steps from the one in progress
   * on (every step is idempotent); `undo` takes back every step up to and including it.
   */
  readonly recovery: 'finish' | 'undo';
  /** params are what the journal records of a run before its first step. */
  params(input: I): P;
  /** readParams reads recorded params back, with a default for what an older version did not record. */
  readParams(raw: Readonly<Record<string, unknown>>): P;
  /** steps are the operation's steps, in order; each step's name is unique within the operation. */
  steps(ctx: AppContext, input: I): Step[];
  /** resume rebuilds the input from the recorded params and the store, or null when nothing is left to do. */
  resume(ctx: AppContext, user: string, params: P): Promise<I | null>;
  /** onFailure runs, in a live run and in recovery, once the steps of a run that failed have been undone. */
  onFailure?(ctx: AppContext, input: I): Promise<void>;
}

/** defineOperation checks an operation's types where it is written. */
export function defineOperation<P extends JournalParams, I>(operation: Operation<P, I>): Operation<P, I> {
  return operation;
}

/** textParam reads a recorded string, or `fallback` when it is missing or of another type. */
export function textParam<F extends string | null>(
  raw: Readonly<Record<string, unknown>>,
  key: string,
  fallback: F,
): string | F {
  const value = raw[key];
  return typeof value === 'string' ? value : fallback;
}

/** numberParam reads a recorded number, or null when it is missing or of another type. */
export function numberParam(raw: Readonly<Record<string, unknown>>, key: string): number | null {
  const value = raw[key];
  return typeof value === 'number' ? value : null;
}

/** flagParam reads a recorded boolean; anything but `true` is false. */
export function flagParam(raw: Readonly<Record<string, unknown>>, key: string): boolean {
  return raw[key] === true;
}
