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
