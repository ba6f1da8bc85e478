import type {
  CertificateFiles,
  DatabaseServer,
  DiskQuota,
  HostDrivers,
  PhpPools,
  SystemUsers,
  TrafficLogs,
  WebServer,
} from '../../src/host/ports.js';

/** FakeHostState is what the fake host holds, as a real host would: users, sites, databases, quotas. */
export interface FakeHostState {
  users: Map<string, { locked: boolean; shell: boolean; password: boolean }>;
  sites: Map<string, { domain: string; suspended: boolean; php: string | null }>;
  databases: Set<string>;
  dbUsers: Map<string, { locked: boolean; grant: string | null }>;
  quotas: Map<string, number | null>;
  reloads: number;
  /** nginxLoaded is what a reload made nginx serve: the sites as they were at the last reload. */
  nginxLoaded: Map<string, { domain: string; suspended: boolean; php: string | null }>;
  /** pools are the PHP pools: in service, or kept aside (`disabled`) as a suspend leaves them. */
  pools: Map<string, { maxChildren: number; memoryMb: number; disabled: boolean }>;
  /** phpLoaded is what a reload made PHP-FPM serve: the pools in service at the last reload. */
  phpLoaded: Set<string>;
  /** certs are the installed key and certificate pairs of each account, by version. */
  certs: Map<string, Set<string>>;
  /** challenges are the ACME challenge answers, by token. */
  challenges: Map<string, string>;
}

/** FakeHost is in-memory host drivers for unit tests: every call is recorded, and any that fails on a real host fails here. */
export interface FakeHost {
  drivers: HostDrivers;
  state: FakeHostState;
  /** calls lists each driver call as `group.method user-or-name`, in order. */
  calls: string[];
  /** fault.method makes the named call (`systemUsers.remove`, ...) throw until it is set back to null. */
  fault: { method: string | null };
}

/** fakeHost builds an empty fake host whose homes are under /fake/homes. */
export function fakeHost(): FakeHost {
  const state: FakeHostState = {
    users: new Map(),
    sites: new Map(),
    databases: new Set(),
    dbUsers: new Map(),
    quotas: new Map(),
    reloads: 0,
    nginxLoaded: new Map(),
    pools: new Map(),
    phpLoaded: new Set(),
    certs: new Map(),
    challenges: new Map(),
  };
  const calls: string[] = [];
  const fault: FakeHost['fault'] = { method: null };
  const call = (name: string, subject: string) => {
    calls.push(`${name} ${subject}`.trimEnd());
    if (fault.method === name) throw new Error(`injected failure in ${name}`);
  };
  const user = (name: string) => {
    const found = state.users.get(name);
    if (!found) throw new Error(`system user ${name} does not exist`);
    return found;
  };
  const dbUser = (name: string) => {
    const found = state.dbUsers.get(name);
    if (!found) throw new Error(`database user ${name} does not exist`);
    return found;
  };

  const systemUsers: SystemUsers = {
    async exists(name) {
      return state.users.has(name);
    },
    async create(spec) {
      call('systemUsers.create', spec.user);
      if (state.users.has(spec.user)) throw new Error(`${spec.user} already exists`);
      state.users.set(spec.user, { locked: false, shell: spec.shell, password: false });
    },
    async setPassword(name) {
      call('systemUsers.setPassword', name);
      user(name).password = true;
    },
    async lock(name) {
      call('systemUsers.lock', name);
      user(name).locked = true;
    },
    async unlock(name) {
      call('systemUsers.unlock', name);
      user(name).locked = false;
    },
    async setShell(name, shell) {
      call('systemUsers.setShell', name);
      user(name).shell = shell;
    },
    async closeWebRoot(name) {
      call('systemUsers.closeWebRoot', name);
      user(name);
    },
    async remove(name, home) {
      call('systemUsers.remove', name);
      if (home !== `/fake/homes/${name}`) throw new Error(`refusing to remove ${home}`);
      state.users.delete(name);
    },
  };
  const webServer: WebServer = {
    async writeSite(site) {
      call('webServer.writeSite', site.user);
      state.sites.set(site.user, { domain: site.domain, suspended: site.suspended, php: site.phpSocket });
    },
    async removeSite(name) {
      call('webServer.removeSite', name);
      state.sites.delete(name);
    },
    async reload() {
      call('webServer.reload', '');
      state.reloads++;
      state.nginxLoaded = new Map([...state.sites].map(([name, site]) => [name, { ...site }]));
    },
    async requestReload() {
      // Asked, not waited for: the fake server loads at once what it would load in the end.
      call('webServer.requestReload', '');
      state.reloads++;
      state.nginxLoaded = new Map([...state.sites].map(([name, site]) => [name, { ...site }]));
    },
    async reopenLogs() {
      call('webServer.reopenLogs', '');
    },
  };
  // Nothing is logged on a fake host: each read finds nothing new and no log is due to rotate.
  const trafficLogs: TrafficLogs = {
    async read(name, trafficState) {
      call('trafficLogs.read', name);
      return {
        state: trafficState,
        months: [],
        bytesRead: 0,
        lines: 0,
        malformed: 0,
        currentSize: null,
        drained: true,
        events: [],
      };
    },
    async rotate() {
      throw new Error('the fake host has no traffic log to rotate');
    },
  };
  const databases: DatabaseServer = {
    available: true,
    label: 'fake',
    async createDatabase(name) {
      call('databases.createDatabase', name);
      if (state.databases.has(name)) throw new Error(`database ${name} exists`);
      state.databases.add(name);
    },
    async dropDatabase(name) {
      call('databases.dropDatabase', name);
      state.databases.delete(name);
    },
    async createUser(name, _password, locked) {
      call('databases.createUser', name);
      if (state.dbUsers.has(name)) throw new Error(`database user ${name} exists`);
      state.dbUsers.set(name, { locked, grant: null });
    },
    async grantAll(database, name) {
      call('databases.grantAll', name);
      dbUser(name).grant = database;
    },
    async setPassword(name) {
      call('databases.setPassword', name);
      dbUser(name);
    },
    async dropUser(name) {
      call('databases.dropUser', name);
      state.dbUsers.delete(name);
    },
    async lockUsers(account, names) {
      call('databases.lockUsers', account);
      for (const name of names) dbUser(name).locked = true;
    },
    async unlockUsers(account, names) {
      call('databases.unlockUsers', account);
      for (const name of names) dbUser(name).locked = false;
    },
    async dropAll(account) {
      call('databases.dropAll', account);
      const prefix = `${account}_`;
      for (const name of state.dbUsers.keys()) if (name.startsWith(prefix)) state.dbUsers.delete(name);
      const dropped = [...state.databases].filter((name) => name.startsWith(prefix)).sort();
      for (const name of dropped) state.databases.delete(name);
      return dropped;
    },
    async repairHostForms(names) {
      call('databases.repairHostForms', names.join(','));
      for (const name of names) dbUser(name);
      return { added: [], skipped: [] };
    },
    async close() {},
  };
  const quota: DiskQuota = {
    enabled: true,
    async apply(name, diskMb) {
      call('quota.apply', name);
      state.quotas.set(name, diskMb);
    },
    async usedBytes() {
      return new Map();
    },
  };
  const php: PhpPools = {
    socketPath: (name) => `/fake/run/vanta-${name}.sock`,
    async writePool(spec) {
      call('php.writePool', spec.user);
      if (spec.home !== `/fake/homes/${spec.user}`) throw new Error(`no home ${spec.home}`);
      user(spec.user);
      const disabled = spec.aside === true || (state.pools.get(spec.user)?.disabled ?? false);
      state.pools.set(spec.user, { maxChildren: spec.maxChildren, memoryMb: spec.memoryMb, disabled });
    },
    async removePool(name) {
      call('php.removePool', name);
      return state.pools.delete(name);
    },
    async disablePool(name) {
      call('php.disablePool', name);
      const pool = state.pools.get(name);
      if (pool) pool.disabled = true;
    },
    async enablePool(name) {
      call('php.enablePool', name);
      const pool = state.pools.get(name);
      if (!pool) throw new Error(`there is no pool of ${name}`);
      pool.disabled = false;
    },
    async reload() {
      call('php.reload', '');
      state.phpLoaded = new Set([...state.pools].filter(([, p]) => !p.disabled).map(([name]) => name));
    },
    async endWorkers(name) {
      call('php.endWorkers', name);
      if (state.phpLoaded.has(name)) throw new Error(`the pool of ${name} is still loaded: its workers come back`);
    },
  };
  const certificates: CertificateFiles = {
    challengeDir: '/fake/acme-challenge',
    pathsOf: (name, version) => ({
      certPath: `/fake/certs/${name}/${version}.crt`,
      keyPath: `/fake/certs/${name}/${version}.key`,
    }),
    async install(name, version) {
      call('certificates.install', name);
      const set = state.certs.get(name) ?? new Set<string>();
      set.add(version);
      state.certs.set(name, set);
      return certificates.pathsOf(name, version);
    },
    async remove(name, version) {
      call('certificates.remove', name);
      state.certs.get(name)?.delete(version);
    },
    async removeAll(name) {
      call('certificates.removeAll', name);
      state.certs.delete(name);
    },
    async users() {
      return [...state.certs.keys()].sort();
    },
    async sweep(name, keep) {
      const set = state.certs.get(name) ?? new Set<string>();
      const removed = [...set].filter((v) => v !== keep);
      for (const v of removed) set.delete(v);
      return removed;
    },
    async putChallenge(token, value) {
      state.challenges.set(token, value);
    },
    async removeChallenge(token) {
      state.challenges.delete(token);
    },
  };
  const drivers: HostDrivers = {
    mode: 'sandbox',
    systemUsers,
    webServer,
    databases,
    quota,
    php,
    trafficLogs,
    certificates,
    homeOf: (name) => `/fake/homes/${name}`,
  };
  return { drivers, state, calls, fault };
}
