#!/usr/bin/env node
import { readInfraEnv } from './infra.js';
import { servicesPidFile, startServices, stopRecordedServices } from './services.js';

async function main(command: string | undefined): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  if (command === 'up') {
    const env = readInfraEnv();
    if (!env) throw new Error('no infrastructure: run npm run infra -- up first');
    await stopRecordedServices();
    const h = await startServices({ env, pidFile: servicesPidFile() });
    for (const [name, pid] of Object.entries(h.pids)) log(`${name}: pid ${pid}, metrics on :${h.metricsPorts[name as keyof typeof h.pids]}`);
    log(`REST on http://127.0.0.1:${h.httpPort}, gRPC on 127.0.0.1:${h.grpcPort}; logs in .leadflow/logs/`);
    return 0;
  }
  if (command === 'down') {
    const stopped = await stopRecordedServices();
    log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'no services were running');
    return 0;
  }
  process.stderr.write('usage: npm run services -- up|down\n');
  return 2;
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`services ${process.argv[2]}: ${err.message}\n`);
    process.exit(1);
  },
);
