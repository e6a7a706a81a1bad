import { existsSync, mkdirSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DataDirError } from './data-dir-error.js';

/**
 * Readies the embedded database's folder before PGlite opens it; returns what to call once it
 * opened. The caller holds the folder's lock.
 *
 * PGlite makes a new database by copying it into its folder file by file, the marker it looks
 * for (PG_VERSION) before the last files: a process killed in that copy leaves a folder PGlite
 * takes for a database and can never open (seen: the next start fails inside the WebAssembly).
 * So a file `<folder>.making` beside it stands while the database is being made: found at the
 * next start, it says the folder holds an unfinished copy and nothing written by Leadflow, which
 * is cleared and made again.
 */
export function readyFolder(dir: string): () => void {
  const folder = resolve(dir);
  const marker = join(dirname(folder), `${basename(folder)}.making`);
  if (existsSync(marker)) rmSync(folder, { recursive: true, force: true });
  else if (existsSync(join(folder, 'PG_VERSION'))) return () => {};
  if (existsSync(folder) && readdirSync(folder).length > 0) {
    throw new DataDirError(
      'DATA_DIR_NOT_A_DATABASE',
      `the data folder ${folder} holds files but no database: set LEADFLOW_DATA_DIR to an empty or new folder, or move these files away`,
    );
  }
  mkdirSync(dirname(folder), { recursive: true });
  writeFileSync(marker, `${process.pid}\n`);
  return () => unlinkSync(marker);
}
