import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive } from '../../shared/index.js';
import { hubError } from '../errors.js';

/** Hub directories this process has open (a second open in the same process is refused too). */
const openHere = new Set<string>();

/**
 * Claims `<dir>/hub.lock` (holding `<pid> <host name>` of the owner) so two processes never write one hub
 * directory. A lock left by a dead process of this host (kill -9) is taken over; one of another host (a
 * directory shared over a network file system) is never, as its pid means nothing here. Returns the release
 * function. Pid reuse can make a stale lock look alive, and a host that is gone cannot release its lock: then
 * remove `hub.lock` by hand. A lock holding only a pid (older versions) counts as this host's.
 */
export async function lockHubDir(dir: string): Promise<() => Promise<void>> {
  const key = path.resolve(dir);
  if (openHere.has(key))
    throw hubError('HUB_BACKEND_UNAVAILABLE', `hub directory ${dir} is already open in this process`);
  const file = path.join(dir, 'hub.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fsp.writeFile(file, `${process.pid} ${os.hostname()}`, { flag: 'wx', mode: 0o600 });
      openHere.add(key);
      return async () => {
        openHere.delete(key);
        await fsp.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const [pidText = '', host = os.hostname()] = (await fsp.readFile(file, 'utf8').catch(() => ''))
      .trim()
      .split(/\s+/, 2);
    const owner = Number(pidText);
    if (host !== os.hostname()) {
      throw hubError(
        'HUB_BACKEND_UNAVAILABLE',
        `hub directory ${dir} is locked by process ${pidText} on host ${host}; if that server is gone, remove ${file}`,
      );
    }
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isProcessAlive(owner)) {
      throw hubError('HUB_BACKEND_UNAVAILABLE', `hub directory ${dir} is in use by process ${owner}`);
    }
    await fsp.rm(file, { force: true }); // stale: its owner is gone
  }
  throw hubError('HUB_BACKEND_UNAVAILABLE', `could not lock hub directory ${dir}`);
}
