import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/** Name of the lock file inside a result folder. */
export const LOCK_FILE = '.equiprobe.lock';

/** Who holds a lock: written into the lock file as JSON. */
interface Owner {
  readonly pid: number;
  readonly host: string;
}

/** Why a lock could not be taken: the folder is held by a live process. */
export class LockedError extends Error {
  constructor(
    message: string,
    /** The owning process id. */
    readonly pid: number,
  ) {
    super(message);
  }
}

/** Whether a process of this machine is alive (signal 0 checks without sending anything). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<Owner | null> {
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as Owner;
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? owner : null;
  } catch {
    return null;
  }
}

/** A held lock; `release` removes it (also done when the process exits). */
export interface Lock {
  readonly file: string;
  /** Removes the lock file if it is still this process's (synchronous, so it also works on the way out). */
  release(): void;
}

/**
 * Makes this process the one writer of `dir` (SPEC §8): creates `dir/.equiprobe.lock` holding this
 * process's id and host name, exclusively. A lock whose process is gone (same host, pid not alive)
 * is taken over; one held by a live process, or by a process on another host (whose liveness
 * cannot be checked from here), is an error naming it. The lock file is removed on `release` and
 * when the process exits, however it exits short of SIGKILL.
 *
 * @param messages - the one-line errors: `locked(dir, 'pid')` and `lockedElsewhere(dir, 'pid on host', lockFile)`
 * @throws LockedError when another process holds the folder
 */
export async function acquireLock(
  dir: string,
  messages: { locked: (dir: string, owner: string) => string; lockedElsewhere: (dir: string, owner: string, lock: string) => string },
): Promise<Lock> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const me: Owner = { pid: process.pid, host: hostname() };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 3) throw err;
    }
    const owner = await readOwner(file);
    // An empty or torn lock may be one being written right now: look again before taking it over.
    if (!owner && attempt === 0) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    if (owner && owner.host !== me.host) throw new LockedError(messages.lockedElsewhere(dir, `${owner.pid} on ${owner.host}`, file), owner.pid);
    if (owner && owner.pid !== me.pid && isAlive(owner.pid)) throw new LockedError(messages.locked(dir, String(owner.pid)), owner.pid);
    // Left by a process that is gone (or torn while being written): take it over.
    await rm(file, { force: true });
  }
  const releaseSync = () => {
    try {
      const owner = JSON.parse(readFileSync(file, 'utf8')) as Owner;
      if (owner.pid === me.pid && owner.host === me.host) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.on('exit', releaseSync);
  return {
    file,
    release() {
      process.off('exit', releaseSync);
      releaseSync();
    },
  };
}
