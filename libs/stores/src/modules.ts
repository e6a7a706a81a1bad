import type { Redis } from 'ioredis';
import { migrate, type Migrations } from './migrate.js';
import type { SqlClient } from './sql-client.js';

/** A lifecycle module (start/stop) for a database: runs the owner's migrations at start, closes the pool at stop. */
export function databaseModule(db: SqlClient, migrations?: Migrations) {
  return {
    name: 'postgres',
    async start() {
      if (migrations) await migrate(db, migrations);
      else await db.query('SELECT 1');
    },
    stop: () => db.close(),
  };
}

/** A lifecycle module for a Redis client: connects at start, quits at stop. */
export function redisModule(redis: Redis) {
  return {
    name: 'redis',
    start: () => redis.connect(),
    async stop() {
      await redis.quit();
    },
  };
}
