import { join } from 'node:path';
import type { TrafficLogState, TrafficRead } from '../../domain/traffic.js';
import { writeFileAtomic } from '../files.js';
import {
  TRAFFIC_LOG_FORMAT_FILE,
  type TrafficLogBuffer,
  renderTrafficAccessLog,
  renderTrafficLogFormat,
  trafficLogPath,
} from '../nginx/traffic-log.js';
import { readTrafficLog } from './traffic-log-reader.js';
import { prepareTrafficDir, prepareTrafficLog, removeTrafficLog, rotateTrafficLogs } from './traffic-log-rotator.js';

/** NginxTrafficLogsOptions say where the logs live, how nginx writes them and how it is told to reopen them. */
export interface NginxTrafficLogsOptions {
  /** dir is the panel-owned directory of the per-account logs (e.g. `<data>/traffic`). */
  dir: string;
  buffer: TrafficLogBuffer | null;
  reopen: () => Promise<void>;
  /** maxBytes bounds what one read takes from each file. */
  maxBytes?: number;
}

/** NginxTrafficLogs meters each account's traffic from the log its server block writes. */
export class NginxTrafficLogs {
  constructor(private readonly opts: NginxTrafficLogsOptions) {}

  /** writeLogFormat writes the http-level format file into nginx's sites directory, before any `nginx -t`. */
  async writeLogFormat(sitesDir: string): Promise<void> {
    await writeFileAtomic(join(sitesDir, TRAFFIC_LOG_FORMAT_FILE), renderTrafficLogFormat());
  }

  /** accessLog is the directive to put into each of the account's server blocks. */
  accessLog(user: string): string {
    return renderTrafficAccessLog(this.pathOf(user), this.opts.buffer);
  }

  /** prepare makes the directory and the account's empty log, before nginx first loads its server block. */
  async prepare(user: string): Promise<void> {
    await prepareTrafficDir(this.opts.dir);
    await prepareTrafficLog(this.pathOf(user));
  }

  /** read takes what was logged for the account since `state`. */
  read(user: string, state: TrafficLogState, now: Date): Promise<TrafficRead> {
    return readTrafficLog(this.pathOf(user), state, { now, maxBytes: this.opts.maxBytes });
  }

  /** rotate rotates the logs of these accounts with one reopen of nginx; their logs must have just been read to their end. */
  rotate(logs: readonly { user: string; state: TrafficLogState }[], now: Date): Promise<TrafficLogState[]> {
    return rotateTrafficLogs(
      logs.map((l) => ({ path: this.pathOf(l.user), state: l.state })),
      { now, reopen: this.opts.reopen },
    );
  }

  /** remove deletes the account's logs once its server block is gone. */
  remove(user: string): Promise<void> {
    return removeTrafficLog(this.pathOf(user));
  }

  private pathOf(user: string): string {
    return trafficLogPath(this.opts.dir, user);
  }
}
