import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One bench at a time in a clone: two would share the infrastructure, the REST port and the
 * CPU, and each would time the other. The lock file holds the holder's pid, is created
 * atomically, and is taken over when its holder is dead. Returns the release function.
 */
export function takeBenchLock(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isSafeInteger(holder) && holder > 0 && alive(holder)) {
        throw new Error(`another bench (pid ${holder}) is running in this clone (${path}): wait for it, or stop it`);
      }
      rmSync(path, { force: true }); // a dead holder's lock
    }
  }
  throw new Error(`could not take the bench lock ${path}`);
}
