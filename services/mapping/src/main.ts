#!/usr/bin/env node
import { runStageMain, TOPICS } from '@leadflow/bus';
import { shared, str } from '@leadflow/config';
import { jobFailure } from '@leadflow/pipeline';
import { createPostgres, databaseModule } from '@leadflow/stores';
import { migrations } from './index.js';
import { createMappingStage } from './mapping-stage.js';
import { createSqlMappingStore } from './mapping-store.js';
import { createSqlSynonymStore } from './synonym-store.js';
import { createTenantAliases, synonymsSchema } from './tenant-aliases.js';

await runStageMain({
  name: 'mapping',
  input: TOPICS.rowsRaw,
  output: TOPICS.leadsMapped,
  schema: {
    databaseUrl: shared.databaseUrl(),
    defaultRegion: ['MAPPING_DEFAULT_REGION', str({ default: 'US', description: 'ISO country for numbers without a country code' })],
    ...synonymsSchema,
  },
  build: ({ config, lifecycle }) => {
    const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-mapping' });
    lifecycle.add(databaseModule(db, migrations));
    const aliases = createTenantAliases(createSqlSynonymStore(db), { reloadMs: config.synonymsReloadMs });
    return createMappingStage({ defaultRegion: config.defaultRegion, store: createSqlMappingStore(db), aliases: aliases.get });
  },
  poisonOutput: (b) => ({
    job: b.job, seq: b.seq, header: b.header, mapping: [], rows: [], last: b.last, totalRows: b.totalRows,
    failure: jobFailure('INTERNAL', `mapping failed on batch ${b.seq}; the batch is in the dead-letter topic`),
  }),
});
