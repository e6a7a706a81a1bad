import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, listeningAddresses, otherLocalAddress, runNode, tempDir, tryConnect, waitUntil } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));
// A start makes or recovers the embedded database and compiles PGlite: tens of seconds on a loaded machine.
const START_MS = 240_000;

describe('leadflow serve on an interface other than loopback (HTTP_HOST)', () => {
  const dataDir = join(tempDir('leadflow-serve-bind-'), 'db');
  const env = { LEADFLOW_DATA_DIR: dataDir, LOG_LEVEL: '' };
  const leadflow = (args: string[], more: Record<string, string> = {}) => runNode(BIN, args, { env: { ...env, ...more }, timeoutMs: START_MS });
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  it('stops at once, exit code 1, with one line saying how to make an admin key, while the database has none (a viewer key is not one)', { timeout: 2 * START_MS }, async () => {
    const viewer = await leadflow(['keys', 'create', '--tenant', 'default', '--role', 'viewer']);
    expect(viewer.code, viewer.stderr).toBe(0);
    const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const res = await leadflow(['serve'], { HTTP_HOST: '0.0.0.0', HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), METRICS_PORT: String(metricsPort) });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      'leadflow serve: HTTP_HOST=0.0.0.0 would open REST and gRPC to other machines, which needs an admin key, and there is none: ' +
        'make one with npx leadflow keys create --tenant NAME --role admin, or unset HTTP_HOST to listen on 127.0.0.1 only\n',
    );
    // It never said it listened: the rule is checked before any server starts.
    expect(res.stdout).not.toContain('leadflow serve: REST on');
  });

  it('listens on every interface once an admin key made by leadflow keys create exists', { timeout: 2 * START_MS }, async () => {
    const admin = await leadflow(['keys', 'create', '--tenant', 'default', '--role', 'admin']);
    expect(admin.code, admin.stderr).toBe(0);
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, ...env, HTTP_HOST: '0.0.0.0', HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort) } });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d));
    child.stderr!.on('data', (d: Buffer) => (output += d));
    await waitUntil('leadflow serve to listen', () => (output.includes('leadflow serve: REST on') ? true : undefined), { timeoutMs: START_MS, describe: () => output });
    expect(output.split('\n').filter((l) => l.startsWith('leadflow serve:'))).toEqual([
      `leadflow serve: REST on http://0.0.0.0:${httpPort} (/metrics, /healthz, /readyz), gRPC on 0.0.0.0:${grpcPort}`,
    ]);
    for (const port of [httpPort, grpcPort]) {
      expect(listeningAddresses(port), `port ${port}`).toEqual(['0.0.0.0']);
      expect(await tryConnect('127.0.0.1', port), `port ${port}`).toBe('connected');
    }
    expect((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status).toBe(200);
    // Where this machine has a network interface, its address (still this machine) is served too.
    const other = otherLocalAddress();
    if (other) for (const port of [httpPort, grpcPort]) expect(await tryConnect(other, port), `${other}:${port}`).toBe('connected');
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
