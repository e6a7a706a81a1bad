#!/usr/bin/env node
import { infraDown, infraStatus, infraUp } from './infra.js';

const usage = 'usage: npm run infra -- up|down|status';

async function main(command: string | undefined): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  switch (command) {
    case 'up': {
      const { env } = await infraUp(log);
      for (const [k, v] of Object.entries(env)) log(`${k}=${v}`);
      log('addresses written to .leadflow/infra.env');
      return 0;
    }
    case 'down':
      await infraDown(undefined, log);
      return 0;
    case 'status':
      for (const [c, s] of Object.entries(await infraStatus())) log(`${c}: ${s}`);
      return 0;
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`infra ${process.argv[2]}: ${err.message}\n`);
    process.exit(1);
  },
);
