import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { checkAnswers, type Resolve } from './check-url.js';
import type { OutboundRules } from './outbound-rules.js';

/**
 * A `lookup` for net.connect / tls.connect: resolves the name once, refuses the connection when
 * any answer may not be reached, and hands the socket exactly the addresses it checked. The
 * socket connects to what this returns, so a second DNS answer (rebinding) cannot change it.
 */
export function guardedLookup(rules: OutboundRules, resolve: Resolve): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    resolve(hostname).then(
      (answers) => {
        const wanted = options.family === 4 || options.family === 6 ? answers.filter((a) => a.family === options.family) : answers;
        let refusal: Error | null = null;
        try {
          checkAnswers(hostname, answers, rules);
          if (wanted.length === 0) refusal = Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
        } catch (err) {
          refusal = err as Error;
        }
        if (refusal) return callback(refusal, '', 0);
        const first = wanted[0]!;
        if (options.all) callback(null, wanted.map((a): LookupAddress => ({ address: a.address, family: a.family })));
        else callback(null, first.address, first.family);
      },
      (err: Error) => callback(err, '', 0),
    );
  };
}
