import { recordHash, stableStringify } from './record-hash';

describe('record hash', () => {
  it('is JSON with keys sorted by code unit, missing values left out and holes in lists written as null', () => {
    // The ledger keeps these hashes: a different text would make every record of a finished run look changed.
    expect(
      stableStringify({
        b: 1,
        a: [1, undefined, 'x'],
        é: { z: null, B: true, a: undefined },
        '10': 2,
        '9': 'é',
      }),
    ).toBe('{"10":2,"9":"é","a":[1,null,"x"],"b":1,"é":{"B":true,"z":null}}');
    expect(stableStringify([])).toBe('[]');
    expect(stableStringify({})).toBe('{}');
    expect(stableStringify(undefined)).toBe('null');
    expect(stableStringify('a"b')).toBe('"a\\"b"');
  });

  it('is the same whatever order a record’s keys come in, and differs when a value does', () => {
    const one = { id: '1', lines: [{ sku: 'A', quantity: 2 }], email: 'a@example.com' };
    const reordered = { email: 'a@example.com', lines: [{ quantity: 2, sku: 'A' }], id: '1' };
    expect(recordHash(reordered)).toBe(recordHash(one));
    expect(recordHash({ ...one, email: 'b@example.com' })).not.toBe(recordHash(one));
    expect(recordHash({ ...one, lines: [{ sku: 'A', quantity: 3 }] })).not.toBe(recordHash(one));
  });
});

describe('record hash text', () => {
  it('writes every value as JSON.stringify does, escapes and numbers included', () => {
    const values: unknown[] = [
      'plain',
      '',
      'quote " and \\ backslash',
      'tab\tnew\nline \u0001',
      'emoji 😀, lone \ud800 surrogate',
      'line\u2028separator',
      0,
      -0,
      1.5e300,
      NaN,
      Infinity,
      true,
      null,
      [1, 'two', null, [true]],
      { nested: { list: ['a', { b: 'c' }] } },
    ];
    for (const value of values) {
      const sortedAlready = JSON.stringify(value);
      expect(stableStringify(value)).toBe(sortedAlready);
    }
  });
});
