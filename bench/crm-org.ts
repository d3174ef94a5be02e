import { salesforceId } from '../connectors/salesforce/salesforce.facts';

/**
 * A HubSpot portal as a seed: owners, companies with contacts, products, and deals linked to a company,
 * its contacts and line items. Every `ownerless`-th record is owned by an owner the destination lacks.
 */
export function hubspotCrmSeed(options: {
  companies: number;
  contactsPerCompany: number;
  dealsPerCompany: number;
}) {
  const owners = [
    { id: '501', email: 'anna@acme.example', firstName: 'Anna', lastName: 'Jansen' },
    { id: '502', email: 'bram@acme.example', firstName: 'Bram', lastName: 'de Vries' },
    { id: '503', email: 'carla@acme.example', firstName: 'Carla', lastName: 'Visser' },
  ];
  const companies: object[] = [];
  const contacts: object[] = [];
  const deals: object[] = [];
  const lineItems: object[] = [];
  const associations: { from: string; fromId: string; to: string; toId: string }[] = [];
  const products = Array.from({ length: 5 }, (_, i) => ({
    id: String(9000 + i),
    properties: { name: `Licence ${i + 1}`, hs_sku: `LIC-${i + 1}`, price: `${(i + 1) * 100}.00` },
  }));
  let lineId = 70000;
  const stages = ['appointmentscheduled', 'qualifiedtobuy', 'contractsent', 'closedwon', 'closedlost'];
  for (let c = 0; c < options.companies; c++) {
    const companyId = String(10000 + c);
    const owner = owners[c % owners.length].id;
    companies.push({
      id: companyId,
      properties: {
        name: `Company ${c + 1} BV`,
        domain: `company${c + 1}.example`,
        city: 'Utrecht',
        country: 'Netherlands',
        industry: c % 2 === 0 ? 'COMPUTER_SOFTWARE' : 'RETAIL',
        hubspot_owner_id: owner,
      },
    });
    const contactIds: string[] = [];
    for (let p = 0; p < options.contactsPerCompany; p++) {
      const contactId = String(20000 + c * 100 + p);
      contactIds.push(contactId);
      contacts.push({
        id: contactId,
        properties: {
          email: `person${p + 1}@company${c + 1}.example`,
          firstname: `Person${p + 1}`,
          lastname: `Company${c + 1}`,
          jobtitle: p === 0 ? 'CEO' : 'Buyer',
          hubspot_owner_id: owner,
        },
      });
      associations.push({ from: 'contacts', fromId: contactId, to: 'companies', toId: companyId });
    }
    for (let d = 0; d < options.dealsPerCompany; d++) {
      const dealId = String(30000 + c * 100 + d);
      const lines = [products[(c + d) % 5], products[(c + d + 1) % 5]];
      deals.push({
        id: dealId,
        properties: {
          dealname: `Company ${c + 1} deal ${d + 1}`,
          amount: lines.reduce((sum, p) => sum + Number(p.properties.price) * (d + 1), 0).toFixed(2),
          deal_currency_code: 'EUR',
          dealstage: stages[(c + d) % stages.length],
          pipeline: 'default',
          closedate: `2026-0${(d % 9) + 1}-15T00:00:00.000Z`,
          hubspot_owner_id: owner,
        },
      });
      associations.push({ from: 'deals', fromId: dealId, to: 'companies', toId: companyId });
      associations.push({
        from: 'deals',
        fromId: dealId,
        to: 'contacts',
        toId: contactIds[d % contactIds.length],
      });
      for (const product of lines) {
        const id = String(lineId++);
        lineItems.push({
          id,
          properties: {
            name: product.properties.name,
            hs_sku: product.properties.hs_sku,
            hs_product_id: product.id,
            price: product.properties.price,
            quantity: String(d + 1),
          },
        });
        associations.push({ from: 'deals', fromId: dealId, to: 'line_items', toId: id });
      }
    }
  }
  return {
    currency: 'EUR',
    owners,
    companies,
    contacts,
    deals,
    line_items: lineItems,
    products,
    associations,
  };
}

/**
 * The same kind of org in Salesforce: users, accounts with contacts, products in the standard price book,
 * and opportunities with contact roles and lines. Ids are the sandbox's own (salesforceId).
 */
export function salesforceCrmSeed(options: {
  accounts: number;
  contactsPerAccount: number;
  dealsPerAccount: number;
}) {
  const users = [
    {
      Id: salesforceId('User', 1),
      Username: 'anna@acme.example.sf',
      Email: 'anna@acme.example',
      FirstName: 'Anna',
      LastName: 'Jansen',
    },
    {
      Id: salesforceId('User', 2),
      Username: 'bram@acme.example.sf',
      Email: 'bram@acme.example',
      FirstName: 'Bram',
      LastName: 'de Vries',
    },
    {
      Id: salesforceId('User', 3),
      Username: 'carla@acme.example.sf',
      Email: 'carla@acme.example',
      FirstName: 'Carla',
      LastName: 'Visser',
    },
  ];
  const products = Array.from({ length: 5 }, (_, i) => ({
    Id: salesforceId('Product2', i + 1),
    Name: `Licence ${i + 1}`,
    ProductCode: `LIC-${i + 1}`,
    IsActive: true,
  }));
  const entries = products.map((product, i) => ({
    Id: salesforceId('PricebookEntry', i + 1),
    Product2Id: product.Id,
    UnitPrice: (i + 1) * 100,
    IsActive: true,
  }));
  const stages = ['Prospecting', 'Qualification', 'Negotiation/Review', 'Closed Won', 'Closed Lost'];
  const Account: object[] = [];
  const Contact: object[] = [];
  const Opportunity: object[] = [];
  const OpportunityContactRole: object[] = [];
  const OpportunityLineItem: object[] = [];
  let contactN = 0;
  let dealN = 0;
  for (let a = 0; a < options.accounts; a++) {
    const accountId = salesforceId('Account', a + 1);
    const owner = users[a % users.length].Id;
    Account.push({
      Id: accountId,
      Name: `Account ${a + 1} BV`,
      Website: `https://www.account${a + 1}.example`,
      BillingCity: 'Utrecht',
      BillingCountry: 'Netherlands',
      Industry: a % 2 === 0 ? 'Technology' : 'Retail',
      OwnerId: owner,
    });
    const contactIds: string[] = [];
    for (let p = 0; p < options.contactsPerAccount; p++) {
      const contactId = salesforceId('Contact', ++contactN);
      contactIds.push(contactId);
      Contact.push({
        Id: contactId,
        FirstName: `Person${p + 1}`,
        LastName: `Account${a + 1}`,
        Email: `person${p + 1}@account${a + 1}.example`,
        Title: p === 0 ? 'CEO' : 'Buyer',
        AccountId: accountId,
        OwnerId: owner,
      });
    }
    for (let d = 0; d < options.dealsPerAccount; d++) {
      const dealId = salesforceId('Opportunity', ++dealN);
      Opportunity.push({
        Id: dealId,
        Name: `Account ${a + 1} deal ${d + 1}`,
        StageName: stages[(a + d) % stages.length],
        CloseDate: `2026-0${(d % 9) + 1}-15`,
        AccountId: accountId,
        OwnerId: owner,
      });
      OpportunityContactRole.push({
        OpportunityId: dealId,
        ContactId: contactIds[d % contactIds.length],
        IsPrimary: true,
      });
      for (const i of [(a + d) % 5, (a + d + 1) % 5])
        OpportunityLineItem.push({ OpportunityId: dealId, PricebookEntryId: entries[i].Id, Quantity: d + 1 });
    }
  }
  return {
    currency: 'EUR',
    User: users,
    Product2: products,
    PricebookEntry: entries,
    Account,
    Contact,
    Opportunity,
    OpportunityContactRole,
    OpportunityLineItem,
  };
}
