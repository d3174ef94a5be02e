import { EgressPolicy } from './egress-policy';

const resolveTo = (addresses: Record<string, string[]>) => (host: string) =>
  Promise.resolve(addresses[host] ?? []);

describe('the egress policy', () => {
  const dns = resolveTo({
    'shop.example.com': ['93.184.216.34'],
    'rebound.example.com': ['93.184.216.34', '10.0.0.7'],
    'metadata.example.com': ['169.254.169.254'],
    'sandbox.internal': ['127.0.0.1'],
  });

  it('lets public hosts through and refuses internal addresses, however they are written', async () => {
    const open = new EgressPolicy(undefined);
    await expect(open.check('https://shop.example.com/admin', dns)).resolves.toBeUndefined();
    for (const url of [
      'http://169.254.169.254/',
      'http://metadata.example.com/',
      'http://rebound.example.com/',
      'http://127.0.0.1:5432',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://0.0.0.0/',
      'http://100.64.1.1/',
    ])
      await expect(open.check(url, dns)).rejects.toThrow(/internal address/);
    await expect(open.check('file:///proc/self/environ', dns)).rejects.toThrow(/only http and https/);
    await expect(open.check('gopher://shop.example.com/', dns)).rejects.toThrow(/only http and https/);
    await expect(open.check('http://user:pw@shop.example.com/', dns)).rejects.toThrow(/credentials belong/);
    await expect(open.check('http://nowhere.example/', dns)).rejects.toThrow(/does not resolve/);
  });

  it('with SWITCHYARD_ALLOWED_HOSTS, allows only the listed hosts, and internal ones only when listed', async () => {
    const listed = new EgressPolicy('*.example.com, 127.0.0.1, 10.0.0.0/8, sandbox.internal');
    await expect(listed.check('https://shop.example.com/', dns)).resolves.toBeUndefined();
    await expect(listed.check('http://127.0.0.1:4102/', dns)).resolves.toBeUndefined();
    await expect(listed.check('http://10.1.2.3/', dns)).resolves.toBeUndefined();
    await expect(listed.check('http://sandbox.internal/', dns)).resolves.toBeUndefined();
    await expect(listed.check('http://metadata.example.com/', dns)).rejects.toThrow(/internal address/);
    await expect(listed.check('http://93.184.216.34/', dns)).rejects.toThrow(
      /not in SWITCHYARD_ALLOWED_HOSTS/,
    );
  });
});
