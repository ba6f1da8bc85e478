import type { HostDrivers } from '../../src/host/ports.js';

/** StepFault says which driver call fails; every other call goes through to the real drivers. */
export interface StepFault {
  /** method is `systemUsers.create`, `webServer.reload`, `databases.lockUsers`, ... */
  method: string | null;
}

/**
 * failingHost wraps real drivers so that the call named by `fault.method` fails (a rejected promise)
 * once asked to. `calls` records the calls that change the host, the ones answering a promise; a
 * plain lookup (`php.socketPath`) passes through as it is, neither recorded nor made async.
 */
export function failingHost(fault: StepFault, calls: string[] = []) {
  return (real: HostDrivers): HostDrivers => {
    const wrap = <T extends object>(group: string, target: T): T =>
      new Proxy(target, {
        get(obj, prop, receiver) {
          const value = Reflect.get(obj, prop, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            const name = `${group}.${String(prop)}`;
            if (fault.method === name) {
              calls.push(name);
              return Promise.reject(new Error(`injected failure in ${name}`));
            }
            const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
            if (result instanceof Promise) calls.push(name);
            return result;
          };
        },
      });
    return {
      ...real,
      systemUsers: wrap('systemUsers', real.systemUsers),
      webServer: wrap('webServer', real.webServer),
      databases: wrap('databases', real.databases),
      php: wrap('php', real.php),
    };
  };
}
