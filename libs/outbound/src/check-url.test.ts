import { describe, expect, it } from 'vitest';
import { loadConfig } from '@leadflow/config';
import { checkOutboundUrl, outboundTarget, type Resolve } from './check-url.js';
import { OutboundRefusal } from './outbound-refusal.js';
import { createOutboundRules, outboundRulesFromConfig, outboundSchema } from './outbound-rules.js';

const strict = createOutboundRules();
const withHttp = createOutboundRules({ allowHttp: true });
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OutboundRefusal);
    return (err as Error).message;
  }
  throw new Error('not refused');
};
const answers = (...addresses: string[]): Resolve => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('outboundTarget', () => {
  it.each([
    ['http://2130706433/', '127.0.0.1 is a loopback address'],
    ['http://0x7f.1/', '127.0.0.1 is a loopback address'],
    ['http://0x7f000001/', '127.0.0.1 is a loopback address'],
    ['http://0177.0.0.1/', '127.0.0.1 is a loopback address'],
    ['http://017700000001/', '127.0.0.1 is a loopback address'],
    ['http://127.1/', '127.0.0.1 is a loopback address'],
    ['http://127.0.0.1./', '127.0.0.1 is a loopback address'],
    ['http://%31%32%37.0.0.1/', '127.0.0.1 is a loopback address'],
    ['http://0/', '0.0.0.0 is an unspecified address'],
    ['http://0xa9fea9fe/latest/meta-data', '169.254.169.254 is a link-local address'],
    ['http://012.0.0.1/', '10.0.0.1 is a private address'],
    ['http://[::1]:8080/', '::1 is a loopback address'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1 is an IPv4-mapped IPv6 address'],
    ['http://[::ffff:0x7f.1]/', null],
    ['http://[64:ff9b::127.0.0.1]/', '64:ff9b::7f00:1 is a NAT64 form of 127.0.0.1, a loopback address'],
    ['http://[2002:7f00:1::]/', '2002:7f00:1:: is a 6to4 form of 127.0.0.1, a loopback address'],
    ['http://[fd00::1]/', 'fd00::1 is a unique-local address'],
    ['http://[fe80::1]/', 'fe80::1 is a link-local address'],
    ['http://[::]/', ':: is an unspecified address'],
    ['http://[ff02::1]/', 'ff02::1 is a multicast address'],
  ])('refuses %s, naming the address the parser reads', (url, reason) => {
    if (reason === null) {
      // Not an address the WHATWG parser takes: it is not a URL at all.
      expect(refusal(() => outboundTarget(url, withHttp))).toBe('it is not a URL');
      return;
    }
    expect(refusal(() => outboundTarget(url, withHttp))).toBe(reason);
  });

  it('takes https to a public address, and http only where a setting allows it', () => {
    expect(outboundTarget('https://93.184.215.14/hook', strict)).toMatchObject({ hostname: '93.184.215.14', address: '93.184.215.14' });
    expect(outboundTarget('https://hooks.example.com/x', strict)).toMatchObject({ hostname: 'hooks.example.com', address: null });
    expect(refusal(() => outboundTarget('http://93.184.215.14/hook', strict))).toBe(
      'plain http is not allowed (leads would travel unencrypted): use https',
    );
    expect(outboundTarget('http://93.184.215.14/hook', withHttp).address).toBe('93.184.215.14');
    expect(refusal(() => outboundTarget('ftp://93.184.215.14/', withHttp))).toBe('ftp: URLs are not allowed: use https');
    expect(refusal(() => outboundTarget('not a url', withHttp))).toBe('it is not a URL');
  });

  it('lets an allowed CIDR through, and nothing next to it', () => {
    const rules = createOutboundRules({ allowCidrs: ['127.0.0.0/8'], allowHttp: true });
    expect(outboundTarget('http://127.0.0.1:9/hook', rules).address).toBe('127.0.0.1');
    expect(outboundTarget('http://0x7f.1/', rules).address).toBe('127.0.0.1');
    expect(refusal(() => outboundTarget('http://[::1]/', rules))).toBe('::1 is a loopback address');
    expect(refusal(() => outboundTarget('http://[::ffff:127.0.0.1]/', rules))).toBe('::ffff:7f00:1 is an IPv4-mapped IPv6 address');
    expect(refusal(() => outboundTarget('http://10.0.0.1/', rules))).toBe('10.0.0.1 is a private address');
  });
});

describe('checkOutboundUrl', () => {
  it('refuses a name when any of its addresses is forbidden', async () => {
    await expect(checkOutboundUrl('https://localhost/hook', strict, answers('127.0.0.1'))).rejects.toThrow(
      'localhost resolves to a forbidden address: 127.0.0.1 is a loopback address',
    );
    await expect(checkOutboundUrl('https://mixed.example/', strict, answers('93.184.215.14', '10.0.0.7'))).rejects.toThrow(
      'mixed.example resolves to a forbidden address: 10.0.0.7 is a private address',
    );
    await expect(checkOutboundUrl('https://v6.example/', strict, answers('fd00::5'))).rejects.toThrow(
      'v6.example resolves to a forbidden address: fd00::5 is a unique-local address',
    );
  });

  it('takes a name that resolves to public addresses, and one that does not resolve now', async () => {
    const ok = await checkOutboundUrl('https://hooks.example/x', strict, answers('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'));
    expect(ok.url.href).toBe('https://hooks.example/x');
    const down: Resolve = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect((await checkOutboundUrl('https://not-yet.example/x', strict, down)).hostname).toBe('not-yet.example');
  });
});

describe('outboundSchema', () => {
  it('allows nothing and no http by default', () => {
    const rules = outboundRulesFromConfig(loadConfig(outboundSchema, {}));
    expect(rules.allowHttp).toBe(false);
    expect(rules.refusalOf('127.0.0.1')).toBe('127.0.0.1 is a loopback address');
  });

  it('reads OUTBOUND_ALLOW_CIDRS and OUTBOUND_ALLOW_HTTP', () => {
    const rules = outboundRulesFromConfig(loadConfig(outboundSchema, { OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8, fd00::/8,192.0.2.7', OUTBOUND_ALLOW_HTTP: 'true' }));
    expect(rules.allowHttp).toBe(true);
    expect([rules.refusalOf('127.9.9.9'), rules.refusalOf('fd00::1'), rules.refusalOf('192.0.2.7')]).toEqual([null, null, null]);
    expect(rules.refusalOf('192.0.2.8')).toBe('192.0.2.8 is a reserved (documentation) address');
  });

  it.each(['127.0.0.0/33', 'localhost', '127.0.0.0/8/1', '10.0.0.0/x', '::1/129'])('names a bad CIDR, %s, as a config error', (bad) => {
    expect(() => loadConfig(outboundSchema, { OUTBOUND_ALLOW_CIDRS: `10.0.0.0/8,${bad}` })).toThrow(
      `OUTBOUND_ALLOW_CIDRS has "${bad}", which is not a CIDR: write an address and a prefix length, e.g. 127.0.0.0/8 or ::1/128`,
    );
  });
});
