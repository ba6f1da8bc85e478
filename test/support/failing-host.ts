import type { HostDrivers } from '../../src/host/ports.js';

/** StepFault says which driver call fails; every other call goes through to the real drivers. */
export interface StepFault {
  /** method is `systemUsers.create`, `webServer.reload`, `databases.lockUsers`, ... */
  method: string | null;
}

/** failingHost wraps real drivers so that the call named by `fault.method` throws once asked to. */
export function failingHost(fault: StepFault, calls: string[] = []) {
  return (real: HostDrivers): HostDrivers => {
    const wrap = <T extends object>(group: string, target: T): T =>
      new Proxy(target, {
        get(obj, prop, receiver) {
          const value = Reflect.get(obj, prop, receiver);
          if (typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            const name = `${group}.${String(prop)}`;
            calls.push(name);
            if (fault.method === name) throw new Error(`injected failure in ${name}`);
            return (value as (...a: unknown[]) => unknown).apply(obj, args);
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
