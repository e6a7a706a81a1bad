import type { TestProject } from 'vitest/node';
import { infraDown, infraUp } from '@leadflow/infra';

declare module 'vitest' {
  export interface ProvidedContext {
    infra: { KAFKA_BROKERS: string; DATABASE_URL: string; REDIS_URL: string };
  }
}

/**
 * Integration tests run against real Kafka, PostgreSQL and Redis: whatever `npm run infra -- up`
 * or the variables provide, else started here and stopped after the run.
 */
export default async function setup(project: TestProject) {
  const { env, started } = await infraUp((line) => process.stdout.write(`[infra] ${line}\n`));
  project.provide('infra', env);
  return async () => {
    if (started.length > 0) await infraDown(started, (line) => process.stdout.write(`[infra] ${line}\n`));
  };
}
