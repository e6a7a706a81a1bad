import type { Redis } from 'ioredis';
import { fingerprintKey, fingerprintPrefix, type FingerprintStore } from './fingerprint-store.js';
import { deleteMatching, globEscape } from './redis.js';

// KEYS: every row's hashed keys, row after row. ARGV: row count, then per row its owner and
// its key count. Redis runs a script atomically, so two replicas can never both claim a key.
const CLAIM_SCRIPT = `
local rows = tonumber(ARGV[1])
local k = 1
local out = {}
for r = 1, rows do
  local owner = ARGV[2 * r]
  local n = tonumber(ARGV[2 * r + 1])
  local conflict = 0
  for i = 0, n - 1 do
    local current = redis.call('GET', KEYS[k + i])
    if current and current ~= owner then
      conflict = i + 1
      out[r] = tostring(i) .. ' ' .. current
      break
    end
  end
  if conflict == 0 then
    for i = 0, n - 1 do redis.call('SET', KEYS[k + i], owner) end
    out[r] = ''
  end
  k = k + n
end
return out
`;

// KEYS: hashed keys; ARGV: the owner of each. Deletes a key only while that owner holds it.
const RELEASE_SCRIPT = `
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[i] then redis.call('DEL', KEYS[i]) end
end
return 0
`;

export function createRedisFingerprintStore(redis: Redis): FingerprintStore {
  return {
    async claim(tenantId, claims) {
      if (claims.length === 0) return [];
      const keys: string[] = [];
      const argv: string[] = [String(claims.length)];
      for (const c of claims) {
        for (const k of c.keys) keys.push(fingerprintKey(tenantId, k));
        argv.push(c.owner, String(c.keys.length));
      }
      const out = (await redis.eval(CLAIM_SCRIPT, keys.length, ...keys, ...argv)) as string[];
      return claims.map((c, r) => {
        const v = out[r] ?? '';
        if (v === '') return null;
        const space = v.indexOf(' ');
        return { key: c.keys[Number(v.slice(0, space))]!, owner: v.slice(space + 1) };
      });
    },
    async release(tenantId, claims) {
      const keys = claims.flatMap((c) => c.keys.map((k) => fingerprintKey(tenantId, k)));
      const owners = claims.flatMap((c) => c.keys.map(() => c.owner));
      if (keys.length > 0) await redis.eval(RELEASE_SCRIPT, keys.length, ...keys, ...owners);
    },
    async clear(tenantId) {
      await deleteMatching(redis, tenantId === undefined ? 'lf:fp:*' : `${globEscape(fingerprintPrefix(tenantId))}*`);
    },
  };
}
