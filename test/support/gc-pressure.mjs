// Preloaded into a server under test (with --expose-gc): a forced full garbage collection every
// second, on top of the collections the allocator starts, so that objects wrapping native state
// (SQLite statements above all) are finalized all through a test rather than at exit.
if (typeof globalThis.gc !== 'function') throw new Error('gc-pressure.mjs needs node --expose-gc');
setInterval(() => globalThis.gc(), 1000).unref();
