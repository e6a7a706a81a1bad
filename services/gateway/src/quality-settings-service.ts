import {
  DEFAULT_QUALITY_SETTINGS, mergeQualitySettings, parseQualitySettings, type QualitySettings,
} from '@leadflow/enrichment';
import { GatewayError } from './gateway-error.js';

/** What a tenant set of its quality settings (only the keys it set), as stored in quality_settings. */
export type QualitySettingsChange = ReturnType<typeof parseQualitySettings>;

export interface QualitySettingsStore {
  get(tenantId: string): Promise<{ settings: unknown; updatedAt: string } | undefined>;
  /** Stores the keys the tenant set; answers when. */
  save(tenantId: string, settings: QualitySettingsChange): Promise<string>;
}

/** A tenant's settings as the API shows them: every one, defaults filled in, and when it last changed them. */
export type QualitySettingsView = QualitySettings & { updatedAt: string | null };

const FORMAT =
  'send {"weights"?: {"<component>": points}, "threshold"?: 0-100, "thresholdAction"?: "warning"|"error", "exclusivityDays"?: N, ' +
  '"callingWindow"?: {"start": "HH:MM", "end": "HH:MM"}}';

const parse = (json: unknown): QualitySettingsChange => {
  try {
    return parseQualitySettings(json);
  } catch (err) {
    throw new GatewayError('INVALID_QUALITY_SETTINGS', `${(err as Error).message}; ${FORMAT}`);
  }
};

/**
 * The tenant's lead quality settings (docs/enrichment.md), for REST and gRPC alike: the gateway
 * keeps them in quality_settings; the dedup and enrichment stages read them within 30 s.
 */
export function createQualitySettingsService(store: QualitySettingsStore | undefined) {
  const stored = async (tenantId: string): Promise<{ change: QualitySettingsChange; updatedAt: string | null }> => {
    const row = await store?.get(tenantId);
    // Stored settings were checked when saved; checked again, a setting a later version dropped fails loudly here.
    return { change: row ? parse(typeof row.settings === 'string' ? JSON.parse(row.settings) : row.settings) : {}, updatedAt: row?.updatedAt ?? null };
  };
  const view = (change: QualitySettingsChange, updatedAt: string | null): QualitySettingsView => ({
    ...mergeQualitySettings(DEFAULT_QUALITY_SETTINGS, change),
    updatedAt,
  });
  return {
    async getQualitySettings(tenantId: string): Promise<QualitySettingsView> {
      const { change, updatedAt } = await stored(tenantId);
      return view(change, updatedAt);
    },

    /** Changes the keys given (of `weights`, the components given); the others keep their value. */
    async setQualitySettings(tenantId: string, body: unknown): Promise<QualitySettingsView> {
      const change = parse(body);
      if (!store) throw new GatewayError('INTERNAL', 'this gateway keeps no quality settings');
      const { change: before } = await stored(tenantId);
      const after: QualitySettingsChange = { ...before, ...change };
      if (before.weights || change.weights) after.weights = { ...before.weights, ...change.weights };
      const updatedAt = await store.save(tenantId, after);
      return view(after, updatedAt);
    },
  };
}
