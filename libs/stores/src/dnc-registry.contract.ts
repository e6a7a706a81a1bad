import { randomInt } from 'node:crypto';
import { expect, it } from 'vitest';
import type { DncScreening } from './dnc-lists.js';
import type { DncRegistry } from './dnc-registry.js';

/**
 * Numbers no other test adds to the national list, which every test on one Redis shares (and
 * keeps between runs while the server is up).
 */
const nanp = () => `+1${randomInt(200, 1000)}${randomInt(2_000_000, 10_000_000)}`;
const uk = () => `+447${randomInt(100_000_000, 1_000_000_000)}`;

let tenants = 0;
const tenant = () => `dnc-contract-${process.pid}-${Date.now()}-${++tenants}`;

/** For each number, the kinds of the lists it is on. */
export const kindsOn = (s: DncScreening) => s.on.map((lists) => lists.map((j) => s.lists[j]!.kind));

/**
 * What every DncRegistry must do (the database's for standalone mode, Redis over PostgreSQL for the services): the
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
    expect(kindsOn(await screen.screen(numbers, a))).toEqual([['national'], ['internal'], ['national', 'internal'], [], ['national'], ['internal']]);
    const ofB = await screen.screen(numbers, b);
    expect(kindsOn(ofB)).toEqual([['national'], [], ['national'], [], ['national'], []]);
    expect(ofB.lists.map((l) => [l.kind, l.owner])).toEqual([['national', '']]);
    expect((await screen.screen([], a)).on).toEqual([]);
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
