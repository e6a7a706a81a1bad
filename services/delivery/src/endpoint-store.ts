import { randomUUID } from 'node:crypto';
import type { Logger } from '@leadflow/logger';
import { keyIdOf, SecretsError, type Keyring } from '@leadflow/secrets';
import type { SqlClient } from '@leadflow/stores';

/**
 * The identity a secret is sealed for (its additional authenticated data): the table, the column
 * and the row, so that a sealed value copied to another endpoint does not open there.
 */
export const endpointSecretContext = (id: string) => `webhook_endpoints.secret_sealed/${id}`;

/** A tenant's default secret (webhook_default_secrets), sealed for its row: it signs what goes to a job's own webhook URL. */
export const defaultSecretContext = (tenantId: string) => `webhook_default_secrets.secret_sealed/${tenantId}`;

export interface Endpoint {
  url: string;
  /** HMAC-SHA256 key of the Leadflow-Signature header, opened; null sends unsigned. */
  secret: string | null;
  /**
   * Why the endpoint's secret does not open (`SECRET_KEY_MISSING: ...`): nothing is sent to it,
   * unsigned or otherwise, and its leads are recorded as failed with this.
   */
  refusal?: string;
}

export interface NewEndpoint {
  tenantId: string;
  /** Checked by the caller as every outbound URL is when saved (checkOutboundUrl). */
  url: string;
  /** Sealed before it is written; null (or empty) sends unsigned. */
  secret: string | null;
  /** @default a new UUID */
  id?: string;
}

/** What sealing at start did. */
export interface SealReport {
  /** Plain-text secrets from before sealing, now sealed. */
  sealed: number;
  /** Secrets sealed with an older key, now sealed with the sealing key. */
  resealed: number;
  /** Secrets that do not open (altered, or not sealed values): left as they are. */
  unreadable: number;
}

/** The webhook endpoints of delivery's table, their secrets sealed at rest (docs/secrets.md). */
export interface EndpointStore {
  /** The tenant's active endpoints, their secrets opened; a plain-text one is sealed on the way. */
  endpointsOf(tenantId: string): Promise<Endpoint[]>;
  /** Saves an endpoint with its secret sealed: the one way a secret is written. Returns its id. */
  save(endpoint: NewEndpoint): Promise<string>;
  /**
   * Run at start: seals the plain-text secrets left from before sealing, and seals again with the
   * sealing key those sealed with an older key, so that the older key can then be removed. Throws
   * SECRET_KEY_MISSING, naming the key ids, when secrets are sealed with keys the keyring lacks.
   */
  sealAtRest(): Promise<SealReport>;
}

const PAGE = 500;

export function createSqlEndpointStore(db: SqlClient, keyring: Keyring): EndpointStore {
  const sealFor = (id: string, secret: string | null) => (secret ? keyring.seal(secret, endpointSecretContext(id)) : null);

  /** Seals a plain-text secret unless the row changed meanwhile (another replica sealed it first). */
  async function sealPlain(id: string, plain: string): Promise<boolean> {
    const { rowCount } = await db.query('UPDATE webhook_endpoints SET secret_sealed = $2, secret = NULL WHERE id = $1 AND secret = $3', [
      id, sealFor(id, plain), plain,
    ]);
    return rowCount === 1;
  }

  return {
    async endpointsOf(tenantId) {
      const { rows } = await db.query<{ id: string; url: string; secret: string | null; secret_sealed: string | null }>(
        'SELECT id, url, secret, secret_sealed FROM webhook_endpoints WHERE tenant_id = $1 AND active ORDER BY created_at',
        [tenantId],
      );
      const endpoints: Endpoint[] = [];
      for (const row of rows) {
        if (row.secret !== null) {
          await sealPlain(row.id, row.secret);
          endpoints.push({ url: row.url, secret: row.secret || null });
        } else if (row.secret_sealed === null) {
          endpoints.push({ url: row.url, secret: null });
        } else {
          try {
            endpoints.push({ url: row.url, secret: keyring.open(row.secret_sealed, endpointSecretContext(row.id)) });
          } catch (err) {
            if (!(err instanceof SecretsError)) throw err;
            endpoints.push({ url: row.url, secret: null, refusal: `${err.code}: ${err.message}` });
          }
        }
      }
      return endpoints;
    },

    async save(endpoint) {
      const id = endpoint.id ?? randomUUID();
      await db.query('INSERT INTO webhook_endpoints (id, tenant_id, url, secret_sealed) VALUES ($1, $2, $3, $4)', [
        id, endpoint.tenantId, endpoint.url, sealFor(id, endpoint.secret),
      ]);
      return id;
    },

    async sealAtRest() {
      const report: SealReport = { sealed: 0, resealed: 0, unreadable: 0 };
      const missing = new Map<string, number>();
      // Keyset pages by id: each row is visited once, whatever is left unsealed.
      for (let after = ''; ; ) {
        const { rows } = await db.query<{ id: string; secret: string | null; secret_sealed: string | null }>(
          `SELECT id::text, secret, secret_sealed FROM webhook_endpoints
            WHERE id::text > $1 AND (secret IS NOT NULL OR split_part(secret_sealed, '.', 2) <> $2)
            ORDER BY id::text LIMIT ${PAGE}`,
          [after, keyring.sealingKeyId],
        );
        for (const row of rows) {
          if (row.secret !== null) {
            if (await sealPlain(row.id, row.secret)) report.sealed++;
            continue;
          }
          const sealed = row.secret_sealed!;
          const keyId = keyIdOf(sealed);
          if (keyId && !keyring.holds(keyId)) {
            missing.set(keyId, (missing.get(keyId) ?? 0) + 1);
            continue;
          }
          let secret: string;
          try {
            secret = keyring.open(sealed, endpointSecretContext(row.id));
          } catch (err) {
            if (!(err instanceof SecretsError)) throw err;
            report.unreadable++;
            continue;
          }
          const { rowCount } = await db.query('UPDATE webhook_endpoints SET secret_sealed = $2 WHERE id = $1 AND secret_sealed = $3', [
            row.id, sealFor(row.id, secret), sealed,
          ]);
          report.resealed += rowCount ?? 0;
        }
        if (rows.length < PAGE) break;
        after = rows[rows.length - 1]!.id;
      }
      if (missing.size > 0) throw missingKeys(missing, keyring.source);
      return report;
    },
  };
}

/** "webhook_endpoints holds 2 secrets sealed with key k0 and 1 with key k9, which LEADFLOW_SECRET_KEYS does not hold: add them back" */
function missingKeys(missing: ReadonlyMap<string, number>, source: string): SecretsError {
  const parts = [...missing].map(([keyId, n], i) => `${n}${i === 0 ? (n === 1 ? ' secret sealed' : ' secrets sealed') : ''} with key ${keyId}`);
  const them = missing.size === 1 ? 'it' : 'them';
  return new SecretsError('SECRET_KEY_MISSING', `webhook_endpoints holds ${parts.join(' and ')}, which ${source} does not hold: add ${them} back`);
}

/** Seals what is not sealed with the sealing key yet (sealAtRest), and says what it did. */
export async function sealEndpointSecrets(store: EndpointStore, logger: Logger): Promise<SealReport> {
  const report = await store.sealAtRest();
  if (report.sealed + report.resealed > 0) logger.info({ ...report }, 'webhook secrets sealed with the sealing key');
  if (report.unreadable > 0) {
    logger.warn({ unreadable: report.unreadable }, 'webhook secrets that do not open: their endpoints get nothing until their secrets are set again');
  }
  return report;
}
