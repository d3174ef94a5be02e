import { missingAsText, overListLimit, textIssues, truncatedToLimits } from './text-guard';

describe('text guard', () => {
  it('names where a control character or an over-long text sits, nested lists included', () => {
    expect(
      textIssues({
        firstName: 'Anna',
        addresses: [{ city: 'Delft' }, { city: 'Go\u0000uda', line1: 'x'.repeat(5_001) }],
        note: 'n'.repeat(50_000),
        extra: { raw: '\u0007 passed over: nothing loads from it' },
      }),
    ).toEqual([
      'addresses.1.city contains a control character ("Go\\u0000uda"); remove it in the source',
      'addresses.1.line1 is 5,001 characters, more than the 5,000 any field may hold',
    ]);
    expect(textIssues({ note: 'n'.repeat(100_001) })).toEqual([
      'note is 100,001 characters, more than the 100,000 any field may hold',
    ]);
    expect(textIssues({ firstName: 'Zoë', tags: ['a\tb', 'c\nd'] })).toEqual([]);
  });

  it('finds "null" and "undefined" a mapping made of a missing value, not those the source itself holds', () => {
    const source = { name: 'Nullpunkt BV', notes: ['nullable'], address: null };
    expect(
      missingAsText(
        [
          { Name: 'Nullpunkt BV', BillingStreet: 'null, Suite 5', Phone: 'undefined' },
          { lines: [{ title: 'ok' }, { title: 'Licence undefined' }] },
        ],
        source,
      ),
    ).toEqual([
      'BillingStreet would be "null, Suite 5"',
      'Phone would be "undefined"',
      'lines.1.title would be "Licence undefined"',
    ]);
    // The source's own words pass; so do words that only contain them.
    const said = { ...source, notes: ['said null and void'] };
    expect(
      missingAsText([{ Description: 'null and void', City: 'Nullarbor', Tag: 'nullable' }], said),
    ).toEqual([]);
    expect(missingAsText([{ a: 'x', b: 1, c: null }], {})).toEqual([]);
  });

  it('names each list longer than a destination takes in one write, nested ones included', () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ sku: `S${i}`, tags: ['a'] }));
    expect(overListLimit({ lineItems: items(250), tags: [] }, 250, 'shopify')).toEqual([]);
    expect(
      overListLimit({ lineItems: items(251), variants: [{ tags: Array(300).fill('t') }] }, 250, 'shopify'),
    ).toEqual([
      'lineItems holds 251 items; shopify takes at most 250 in one write',
      'variants[0].tags holds 300 items; shopify takes at most 250 in one write',
    ]);
  });

  it('cuts each text to its field length, in lists too, never inside a surrogate pair, and names each cut', () => {
    const payload = {
      title: 'x'.repeat(10),
      tags: ['short', 'y'.repeat(7)],
      note: `ab${'😀'}cd`,
      lines: [{ name: 'z'.repeat(6) }, { name: 'ok' }],
    };
    const { payload: cut, cuts } = truncatedToLimits(payload, {
      title: 4,
      'tags[]': 5,
      note: 3,
      'lines[].name': 2,
    });
    expect(cut).toEqual({
      title: 'xxxx',
      tags: ['short', 'yyyyy'],
      note: 'ab',
      lines: [{ name: 'zz' }, { name: 'ok' }],
    });
    expect(cuts).toEqual([
      'title cut from 10 to 4 characters',
      'tags.1 cut from 7 to 5 characters',
      'note cut from 6 to 2 characters',
      'lines.0.name cut from 6 to 2 characters',
    ]);
    expect(payload.title).toHaveLength(10);
  });
});
