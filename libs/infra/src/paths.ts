import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root: this file is libs/infra/{src,dist}/paths.* */
export const repoRoot = (): string => fileURLToPath(new URL('../../../', import.meta.url));

/** Where local infrastructure keeps its data, logs and process ids: `.leadflow/` in the root. */
export const stateDir = (...parts: string[]): string => join(process.env.LEADFLOW_STATE_DIR ?? join(repoRoot(), '.leadflow'), ...parts);
