import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { DataDirError } from './data-dir-error.js';

/** The line a second process stops with. */
function inUse(dir: string, holder: { pid: number; host: string }, lockFile: string): DataDirError {
  const who = holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`;
  return new DataDirError(
    'DATA_DIR_IN_USE',
    `the data folder ${dir} is in use by ${who}: wait for it to end, or set LEADFLOW_DATA_DIR to another folder ` +
      `(if no such process runs, delete ${lockFile})`,
  );
}

export interface DataDirLock {
  /** The lock file, beside the folder. */
  readonly file: string;
  /** Gives the folder up; only this lock's own file is removed. */
  release(): void;
}

/** Folders this process holds: a second open in the same process is refused as well. */
const held = new Set<string>();

interface Holder {
  pid: number;
  host: string;
  text: string;
}

function readHolder(file: string): Holder | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const [pid, host] = text.split('\n');
  return { pid: Number(pid), host: host ?? '', text };
}

/** Whether the holder may still run: a process of this host that exists (ESRCH: gone; EPERM: another user's, alive). */
function mayRun(holder: Holder, file: string): boolean {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  // Another host's process cannot be asked: the lock stands.
  if (holder.host !== hostname()) return true;
  // This process's own pid (a container's pid 1 after a restart): stale unless this process holds the folder.
  if (holder.pid === process.pid) return held.has(file);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of a data folder: the file `<folder>.lock` beside it, holding the holder's pid
 * and host. It appears whole or not at all (written under a private name, then hard-linked to
 * its name, which fails if it exists), so two processes starting together never both take it.
 * A lock whose process is gone (killed, crashed) is taken over: moved aside by a rename, which
 * only one process can do, and checked to be the stale one. Throws DataDirError
 * (DATA_DIR_IN_USE) while a live process holds it.
 */
export function lockDataDir(dir: string): DataDirLock {
  const folder = resolve(dir);
  const file = join(dirname(folder), `${basename(folder)}.lock`);
  const text = `${process.pid}\n${hostname()}\n${randomUUID()}\n`;
  const mine = `${file}.${process.pid}.${randomUUID().slice(0, 8)}`;
  mkdirSync(dirname(folder), { recursive: true });
  for (let attempt = 0; attempt < 10; attempt++) {
    writeFileSync(mine, text);
    try {
      linkSync(mine, file);
      held.add(file);
      const release = () => {
        process.off('exit', release);
        held.delete(file);
        if (readHolder(file)?.text === text) unlinkSync(file);
      };
      // A process that ends without closing the database (an uncaught error) still gives the folder up.
      process.on('exit', release);
      return { file, release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(mine);
    }
    const holder = readHolder(file);
    if (!holder) continue;
    if (mayRun(holder, file)) throw inUse(folder, holder, file);
    const aside = `${file}.stale.${process.pid}`;
    try {
      renameSync(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    // Another process may have taken the stale lock over between our read and our rename: then
    // this is its fresh lock, which goes back (link fails only if the name was taken since).
    if (readHolder(aside)?.text !== holder.text) {
      try {
        linkSync(aside, file);
      } catch {
        // The name was taken again: that process holds the folder now.
      }
    }
    unlinkSync(aside);
  }
  const holder = readHolder(file);
  throw inUse(folder, holder ?? { pid: 0, host: hostname() }, file);
}
