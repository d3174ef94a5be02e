import { SwitchyardError } from '../common/errors';
import { loadMapping } from './mapping.loader';

const deal = { id: 'd1', name: 'Renewal', stage: 'qualification', lines: [], contacts: [] };

describe("a plan's value maps", () => {
  it('lay their entries over the mapping’s own map, and change the mapping key', async () => {
    const stock = loadMapping('hubspot', 'deal');
    const own = loadMapping('hubspot', 'deal', {
      valueMaps: { 'outbound.dealstage': { qualification: '1234567', negotiation: '7654321' } },
    });
    expect((await stock.outbound(deal, { currency: 'EUR' })).dealstage).toBe('qualifiedtobuy');
    expect((await own.outbound(deal, { currency: 'EUR' })).dealstage).toBe('1234567');
    expect((await own.outbound({ ...deal, stage: 'closed_won' }, { currency: 'EUR' })).dealstage).toBe(
      'closedwon',
    );
    expect(own.key).not.toBe(stock.key);
  });

  it('naming a field the mapping lacks is refused, with the fields it has', () => {
    const load = () => loadMapping('hubspot', 'deal', { valueMaps: { 'outbound.stage': { a: 'b' } } });
    expect(load).toThrow(SwitchyardError);
    expect(load).toThrow(/has no outbound field stage; its outbound fields: dealname, amount/);
  });
});

describe('an outbound mapping’s children and links', () => {
  it('come apart from the record’s own fields, always as lists', async () => {
    const mapping = loadMapping('hubspot', 'deal');
    const written = await mapping.write(
      {
        ...deal,
        organization: { entity: 'organization', sourceId: 'o1', destinationId: '700' },
        contacts: [{ entity: 'contact', sourceId: 'c1', destinationId: '801' }],
        lines: [{ id: 'l1', name: 'Seat', quantity: 2, unitPrice: { amount: '10.00', currency: 'EUR' } }],
      },
      { currency: 'EUR' },
    );
    expect(written.payload).not.toHaveProperty('lineItems');
    expect(written.payload).not.toHaveProperty('associations');
    expect(written.payload.dealname).toBe('Renewal');
    expect(written.links).toEqual({ companies: ['700'], contacts: ['801'] });
    expect(written.children.lineItems).toEqual([
      expect.objectContaining({ key: 'l1', name: 'Seat', quantity: '2', price: '10.00' }),
    ]);
    const alone = await mapping.write(deal, { currency: 'EUR' });
    expect(alone.links).toEqual({ companies: [], contacts: [] });
    expect(alone.children).toEqual({ lineItems: [] });
  });
});
