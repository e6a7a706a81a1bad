import { describe, expect, it } from 'vitest';
import { CommandError } from './command-error.js';
import { checkBind, hostForUrl, isLoopback, loopbackNotice, readHost } from './serve-bind.js';

const keys = (adminKey: boolean) => ({ hasAdminKey: async () => adminKey });

describe('where leadflow serve may listen', () => {
  it('counts 127.0.0.0/8, ::1 and their IPv4-mapped form as loopback, and nothing else', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', '128.0.0.1', 'fe80::1', '::ffff:10.0.0.1', 'localhost']) expect(isLoopback(a), a).toBe(false);
  });

  it('takes HTTP_HOST as an IP address only, saying which to give', () => {
    expect(readHost('0.0.0.0')).toBe('0.0.0.0');
    expect(readHost('::')).toBe('::');
    expect(() => readHost('localhost')).toThrow(
      'must be an IP address to listen on (127.0.0.1 for this machine only, 0.0.0.0 or :: for every interface), got "localhost"',
    );
    expect(() => readHost('0.0.0.0:8080')).toThrow(/got "0\.0\.0\.0:8080"/);
  });

  it('refuses an address other than loopback while no admin key exists, with the command that makes one', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.2']) {
      const refused = await checkBind(host, keys(false)).catch((err: unknown) => err);
      expect(refused, host).toBeInstanceOf(CommandError);
      expect((refused as Error).message, host).toBe(
        `HTTP_HOST=${host} would open REST and gRPC to other machines, which needs an admin key, and there is none: ` +
          'make one with npx leadflow keys create --tenant NAME --role admin, or unset HTTP_HOST to listen on 127.0.0.1 only',
      );
    }
    expect(await checkBind('0.0.0.0', keys(true))).toEqual({ adminKey: true });
    expect(await checkBind('127.0.0.1', keys(false))).toEqual({ adminKey: false });
    expect(await checkBind('::1', keys(true))).toEqual({ adminKey: true });
  });

  it('says why it listens on loopback only, and how to open it; nothing when it listens beyond', () => {
    expect(loopbackNotice('127.0.0.1', false)).toBe(
      'listening on loopback only, as no admin key exists: to open REST and gRPC to other machines, stop, ' +
        'make one with npx leadflow keys create --tenant NAME --role admin, and start with HTTP_HOST=0.0.0.0',
    );
    expect(loopbackNotice('::1', true)).toBe('listening on loopback only: set HTTP_HOST (e.g. 0.0.0.0) to open REST and gRPC to other machines');
    expect(loopbackNotice('0.0.0.0', true)).toBeUndefined();
  });

  it('writes an IPv6 address in brackets before a port', () => {
    expect([hostForUrl('::'), hostForUrl('::1'), hostForUrl('0.0.0.0')]).toEqual(['[::]', '[::1]', '0.0.0.0']);
  });
});
