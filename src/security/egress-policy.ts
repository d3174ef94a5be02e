import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { SwitchyardError } from '../common/errors';

/** Where a service may never connect unless its operator lists it: loopback, private, link-local and the like. */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv6');

/** An IPv4 address written as IPv6 (::ffff:127.0.0.1) is the IPv4 address. */
function plain(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/**
 * Which hosts the service may call, from SWITCHYARD_ALLOWED_HOSTS: comma-separated host names
 * (`shop.example.com`), wildcards (`*.myshopify.com`), addresses and networks (`127.0.0.1`, `10.0.0.0/8`).
 * Without the variable any public host may be called; with it, only the listed ones. Loopback, private,
 * link-local and other internal addresses are refused unless listed by address or network, or by the exact
 * host name that resolves to them (never by a wildcard). Only http and https.
 */
export class EgressPolicy {
  private readonly names: string[] = [];
  private readonly suffixes: string[] = [];
  private readonly networks = new BlockList();
  private readonly restricted: boolean;

  constructor(allowedHosts: string | undefined) {
    const entries = (allowedHosts ?? '')
      .split(',')
      .map((entry) => entry.trim().toLowerCase())
      .filter(Boolean);
    this.restricted = entries.length > 0;
    for (const entry of entries) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address);
      if (family) {
        const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
        this.networks.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
      } else if (entry.startsWith('*.')) this.suffixes.push(entry.slice(1));
      else this.names.push(entry);
    }
  }

  /** Throws PLAN_INVALID saying why `url` may not be called; resolves the name to check where it points. */
  async check(url: string, resolve = defaultResolve): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw refused(url, 'it is not a URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw refused(url, `only http and https are allowed, not ${parsed.protocol.replace(/:$/, '')}`);
    if (parsed.username || parsed.password)
      throw refused(url, 'credentials belong in credentials, not in the URL');
    const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const addresses = isIP(host) ? [host] : await resolve(host).catch(() => []);
    if (addresses.length === 0) throw refused(url, `${host} does not resolve`);
    for (const address of addresses) this.checkAddress(host, address, url);
  }

  /** The same rule for one connection about to be made (every redirect, every DNS answer). */
  checkAddress(host: string, address: string, url = host): void {
    const ip = plain(address);
    const byName = this.names.includes(host) || this.suffixes.some((suffix) => host.endsWith(suffix));
    const byAddress = this.networks.check(ip.address, ip.family);
    if (this.restricted && !byName && !byAddress)
      throw refused(url, `${host} is not in SWITCHYARD_ALLOWED_HOSTS`);
    // A wildcard never opens an internal address (a public name can be made to resolve to one).
    if (INTERNAL.check(ip.address, ip.family) && !byAddress && !this.names.includes(host))
      throw refused(
        url,
        `${host} is ${address}, an internal address (loopback, private or link-local); list it in SWITCHYARD_ALLOWED_HOSTS if the service should reach it`,
      );
  }
}

async function defaultResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
}

function refused(url: string, why: string): SwitchyardError {
  let shown = url;
  try {
    const parsed = new URL(url);
    shown = `${parsed.protocol}//${parsed.host}`;
  } catch {
    shown = url.slice(0, 80);
  }
  return new SwitchyardError('PLAN_INVALID', `the service may not call ${shown}: ${why}`);
}
