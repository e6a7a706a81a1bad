import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { runNode } from './run-node.js';

/** The header that carries an API key on REST. */
export const bearer = (key: string): { authorization: string } => ({ authorization: `Bearer ${key}` });

/** A gRPC client interceptor that sends `key` in every call's `authorization` metadata. */
export const withApiKey =
  (key: string): Interceptor =>
  (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set('authorization', `Bearer ${key}`);
        next(metadata, listener);
      },
    });

/**
 * Makes an API key as an operator does, `leadflow keys create` (the command's bin at `bin`)
 * with `env` (DATABASE_URL or LEADFLOW_DATA_DIR), and answers it: the last line it prints.
 */
export async function createKeyWithCli(bin: string, env: Record<string, string>, opts: { tenant: string; role: 'admin' | 'uploader' | 'viewer'; name?: string }): Promise<string> {
  const args = ['keys', 'create', '--tenant', opts.tenant, '--role', opts.role, ...(opts.name ? ['--name', opts.name] : [])];
  const res = await runNode(bin, args, { env: { LOG_LEVEL: '', ...env }, timeoutMs: 240_000 });
  if (res.code !== 0) throw new Error(`leadflow keys create failed (exit ${res.code}): ${res.stderr.trim()}`);
  return res.stdout.trim().split('\n').at(-1)!;
}

/** `fetch` that sends `key` as a bearer token (headers given as a plain object are kept beside it). */
export const fetchWithKey =
  (key: string) =>
  (input: string | URL, init: RequestInit = {}): Promise<Response> =>
    fetch(input, { ...init, headers: { ...bearer(key), ...(init.headers as Record<string, string> | undefined) } });
