/**
 * oncePerTurn answers `read` at most once per turn of the event loop: the first call in a turn runs it, later calls
 * in the same turn get that answer, and the next turn asks again. The panel reads SQLite's `pragma data_version`
 * through it. That pragma opens a read transaction (file locks, a few system calls), which under load cost more than
 * the rest of the token lookup, and every request read it. Requests read in one turn are answered as of the first
 * lookup in that turn; a commit by another process that lands in the middle of a turn counts from the next turn on,
 * a fraction of a millisecond later under load. A request sent after the commit reached the panel's socket on an idle
 * connection is read in a later turn, and sees it.
 */
export function oncePerTurn<T>(read: () => T): () => T {
  let kept: { value: T } | null = null;
  const forget = () => {
    kept = null;
  };
  return () => {
    if (kept === null) {
      kept = { value: read() };
      setImmediate(forget).unref();
    }
    return kept.value;
  };
}
