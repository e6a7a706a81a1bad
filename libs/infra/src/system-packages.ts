import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { findProgram } from './process-util.js';

/** A program local infrastructure needs, and the Debian package that provides it. */
export interface Requirement {
  program: string;
  /** Other places the program may be, besides PATH. */
  candidates?: () => string[];
  debianPackage: string;
  why: string;
}

let updated = false;

/**
 * Makes sure each program is there. A missing one is installed with apt-get when this
 * process may (root, Debian or Ubuntu); otherwise the error names the package to install.
 */
export function ensurePrograms(requirements: readonly Requirement[], log: (line: string) => void): void {
  const missing = requirements.filter((r) => !findProgram(r.program, r.candidates?.() ?? []));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((r) => r.debianPackage))];
  const canInstall = userInfo().uid === 0 && findProgram('apt-get') !== undefined;
  if (!canInstall) {
    throw new Error(
      `missing ${missing.map((r) => `${r.program} (${r.why})`).join(', ')}: install ${packages.join(' ')} with your package manager, ` +
        'or set KAFKA_BROKERS, DATABASE_URL and REDIS_URL to servers you run',
    );
  }
  log(`installing ${packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!updated) {
    const update = spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8', env });
    if (update.status !== 0) throw new Error(`apt-get update failed: ${update.stderr.trim().split('\n').at(-1)}`);
    updated = true;
  }
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { encoding: 'utf8', env });
  if (install.status !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed: ${install.stderr.trim().split('\n').at(-1)}`);
}
