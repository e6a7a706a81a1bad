import { randomInt } from 'node:crypto';
import { expect, it } from 'vitest';
import type { DncRegistry } from './dnc-registry.js';

/**
 * Numbers no other test adds to the national list, which every test on one Redis shares (and
 * keeps between runs while the server is up).
 */
const nanp = () => `+1${randomInt(200, 1000)}${randomInt(2_000_000, 10_000_000)}`;
const uk = () => `+447${randomInt(100_000_000, 1_000_000_000)}`;

let tenants = 0;
const tenant = () => `dnc-contract-${process.pid}-${Date.now()}-${++tenants}`;

/**
 * What every DncRegistry must do (in memory for standalone mode, Redis for the services): the
 * same tests run against each. Two registries `make` returns hold the same lists, as two
 * replicas on one Redis do.
 */
export function dncRegistryContract(make: () => DncRegistry) {
  it("screens every tenant against the national list, and each against its own internal list, never another's", async () => {
    const [a, b] = [tenant(), tenant()];
    const [national, ownOfA, onBoth, unlisted, nationalUk, ownUkOfA] = [nanp(), nanp(), nanp(), nanp(), uk(), uk()];
    const loader = make();
    expect(await loader.add([national, nationalUk, onBoth])).toBe(3);
    expect(await loader.add([ownOfA, onBoth, ownUkOfA], { tenantId: a })).toBe(3);

    const screen = make();
    const numbers = [national, ownOfA, onBoth, unlisted, nationalUk, ownUkOfA];
    expect(await screen.listsOf(numbers, a)).toEqual([['national'], ['internal'], ['national', 'internal'], [], ['national'], ['internal']]);
    expect(await screen.listsOf(numbers, b)).toEqual([['national'], [], ['national'], [], ['national'], []]);
    expect(await screen.listsOf([], a)).toEqual([]);
  });

  it('counts only the numbers new to the list they are added to', async () => {
    const [a, b] = [tenant(), tenant()];
    const [x, y, z] = [nanp(), nanp(), uk()];
    const dnc = make();
    expect(await dnc.add([x, x, z])).toBe(2);
    expect(await dnc.add([x, y, z, y], { tenantId: a })).toBe(3);
    expect(await dnc.add([x, y], { tenantId: a })).toBe(0);
    expect(await dnc.add([y], { tenantId: b })).toBe(1);
    expect(await dnc.add([x, y, z])).toBe(1);
    expect(await dnc.add([], { tenantId: a })).toBe(0);
  });
}
