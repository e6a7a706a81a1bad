import {
  builtInSynonyms, CANONICAL_FIELDS, SynonymError, TEMPLATE_FILE_NAME, templateCsv, validateSynonyms,
  type FieldSynonyms, type SynonymBackup, type SynonymSet, type SynonymStore,
} from '@leadflow/mapping';
import { GatewayError } from './gateway-error.js';

/** A tenant's synonyms as the API shows them: its own, the built-in ones beside them, and the version. */
export interface SynonymsView {
  synonyms: FieldSynonyms;
  builtIn: Record<string, string[]>;
  version: number;
  updatedAt: string | null;
}

export interface MappingSettingsOptions {
  /** The gateway always gives it (createGateway); a test of other routes may leave it out. */
  synonyms?: SynonymStore;
  /**
   * Told after a tenant's synonyms changed. In `leadflow serve` the mapping stage of the same
   * process then reads them at the tenant's next job; the mapping services of Kafka mode poll.
   */
  onSynonymsChanged?: (tenantId: string) => void;
}

export type MappingSettings = ReturnType<typeof createMappingSettings>;

const FORMAT = 'send {"synonyms": {"<lead field>": ["<header>", ...]}}';

/**
 * What an operator edits of the mapping, for REST and gRPC alike: the CSV template, and the
 * header synonyms the mapping service adds to the built-in ones for the tenant's jobs (stored by
 * the mapping library in the mapping service's tables), with backups to restore.
 */
export function createMappingSettings(opts: MappingSettingsOptions = {}) {
  const store = (): SynonymStore => {
    if (!opts.synonyms) throw new Error('the job service was built without a synonym store');
    return opts.synonyms;
  };
  const builtIn = builtInSynonyms();
  const template = templateCsv();
  const view = (set: SynonymSet): SynonymsView => ({ synonyms: set.synonyms, builtIn, version: set.version, updatedAt: set.updatedAt });

  async function save(tenantId: string, synonyms: FieldSynonyms): Promise<SynonymsView> {
    const saved = await store().set(tenantId, synonyms);
    opts.onSynonymsChanged?.(tenantId);
    return view(saved);
  }

  return {
    /** The canonical headers and an example row, as the file GET /v1/template.csv sends. */
    template: () => ({ csv: template, fileName: TEMPLATE_FILE_NAME, headers: [...CANONICAL_FIELDS] }),

    getSynonyms: async (tenantId: string): Promise<SynonymsView> => view(await store().get(tenantId)),

    /** Replaces the tenant's synonyms; every mapping replica uses them within MAPPING_SYNONYMS_RELOAD_MS. */
    async setSynonyms(tenantId: string, input: unknown): Promise<SynonymsView> {
      let synonyms: FieldSynonyms;
      try {
        synonyms = validateSynonyms(input);
      } catch (err) {
        if (err instanceof SynonymError) throw new GatewayError('INVALID_SYNONYMS', `${err.message}; ${FORMAT}`);
        throw err;
      }
      return save(tenantId, synonyms);
    },

    backupSynonyms: (tenantId: string): Promise<SynonymBackup> => store().backup(tenantId),

    listSynonymBackups: async (tenantId: string): Promise<{ backups: SynonymBackup[] }> => ({ backups: await store().backups(tenantId) }),

    /** Makes a backup's synonyms the tenant's again, as a change (the version moves on). */
    async restoreSynonyms(tenantId: string, id: string): Promise<SynonymsView> {
      const backup = await store().findBackup(tenantId, id);
      if (!backup) {
        throw new GatewayError('SYNONYM_BACKUP_NOT_FOUND', `no synonym backup with id "${id.slice(0, 40)}" for this tenant: GET /v1/mapping/synonyms/backups lists them`);
      }
      let synonyms: FieldSynonyms;
      try {
        // Checked again: a built-in synonym added since may claim one of its headers.
        synonyms = validateSynonyms(backup.synonyms);
      } catch (err) {
        if (err instanceof SynonymError) throw new GatewayError('INVALID_SYNONYMS', `backup ${backup.id} cannot be restored as it is: ${err.message}`);
        throw err;
      }
      return save(tenantId, synonyms);
    },
  };
}
