#!/usr/bin/env node
// Regenerates the ts-proto code and fails when it differs from what is committed
// (docs/style.md: generated code is committed and checked).
import { spawnSync } from 'node:child_process';
import { repoRoot } from './paths.js';

const root = repoRoot();
const gen = spawnSync('npm', ['run', '--silent', 'proto:generate'], { cwd: root, encoding: 'utf8' });
if (gen.status !== 0) {
  process.stderr.write(`proto:check: generation failed:\n${gen.stderr || gen.stdout}\n`);
  process.exit(1);
}
const diff = spawnSync('git', ['status', '--porcelain', '--', 'libs/proto/src/gen'], { cwd: root, encoding: 'utf8' });
if (diff.status !== 0) {
  process.stderr.write(`proto:check: git status failed: ${diff.stderr}\n`);
  process.exit(1);
}
if (diff.stdout.trim() !== '') {
  process.stderr.write(
    `proto:check: libs/proto/src/gen differs from a fresh generation; run npm run proto:generate and commit:\n${diff.stdout}`,
  );
  process.exit(1);
}
process.stdout.write('proto:check: generated code is up to date\n');
