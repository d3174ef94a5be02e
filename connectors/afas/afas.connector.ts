import {
  type AccountingFigures,
  type BatchTarget,
  type CallLimiter,
  type Connector,
  type EntityDescriptor,
  type EntityName,
  type Found,
  type ItemAnswer,
  type LoadItem,
  type LoadOutcome,
  type NativeRecord,
  offsetPages,
  type PlatformInfo,
  previewBatch,
  type ReadOptions,
  type ReadPage,
  scalarText,
  skipTakePages,
  SwitchyardError,
  writeBatch,
} from '../../src/connectors';
import { type BookKind, ProfitBooks } from './afas.books';
import { ProfitClient } from './afas.client';
import { AFAS_FACTS } from './afas.facts';

type Row = Record<string, any>;
type Kind = 'organizations' | 'items' | 'ledgerAccounts' | 'vatCodes' | BookKind;

const descriptor = (idField: string): EntityDescriptor => ({
  idField,
  naturalKey: idField,
  modifiedAtField: 'ModifiedDate',
  // An UpdateConnector takes one object (with its nested ones) a call.
  batchLimit: 1,
  maxPageSize: AFAS_FACTS.pageSize,
});
const ENTITIES: Record<Kind, EntityDescriptor> = {
  organizations: descriptor('BcCo'),
  items: descriptor('ItemCode'),
  ledgerAccounts: descriptor('Account'),
  vatCodes: descriptor('VatCode'),
  // Entries are booked, never modified: they carry no modification date, a delta reads them all.
  openingBalances: descriptor('ID'),
  openItems: descriptor('ID'),
};
const isBooks = (kind: Kind): kind is BookKind => kind === 'openingBalances' || kind === 'openItems';

/**
 * What Profit sets up itself and its API does not write (no UpdateConnector): a migrated record is matched
 * to Profit's by its code, and must agree with it on what the books depend on.
 */
const SET_UP_IN_PROFIT = {
  ledgerAccounts: {
    get: 'Profit_Accounts',
    key: 'Account',
    what: 'ledger account',
    where: 'the chart of accounts (Algemeen > Grootboekrekeningen)',
    agree: ['Type'],
  },
  vatCodes: {
    get: 'Profit_VAT_code',
    key: 'VatCode',
    what: 'VAT code',
    where: 'the VAT codes (Financieel > Btw-codes)',
    agree: ['VatPerc'],
  },
} as const;

/** A relation role: its UpdateConnector, its GetConnector and their key fields. */
const ROLES = {
  debtor: { update: 'KnSalesRelationOrg', get: 'Profit_Debtor', key: 'DbId', row: 'DebtorId' },
  creditor: { update: 'KnPurchaseRelationOrg', get: 'Profit_Creditor', key: 'CrId', row: 'CreditorId' },
} as const;

/** Profit's refusal of an insert whose number it holds already. */
const EXISTS = /bestaat al|already exists/i;

/**
 * AFAS Profit through its REST services. Reads page GetConnectors by skip/take, always in an order.
 * Organisations are written as sales relations (debtors) and purchase relations (creditors) with the
 * organisation nested, matched on its number (`MatchOga` 0, `BcCo`), so a second role or a re-sent insert
 * reuses it; each role is matched on its debtor or creditor number first and updated where it exists. Items are
 * FbItemArticle, matched on their code.
 */
export class AfasConnector implements Connector {
  readonly platform = 'afas';
  readonly entities = ENTITIES;
  private readonly client: ProfitClient;
  private readonly indexes = new Map<string, Promise<Map<string, Row>>>();

  constructor(
    url: string,
    credentials: Record<string, string>,
    limiter?: CallLimiter,
    books: { cutoffDate?: string; openingAccount?: string } = {},
  ) {
    if (!credentials.token)
      throw new SwitchyardError(
        'PLAN_INVALID',
        "afas needs credentials.token (the App Connector user's token)",
      );
    this.client = new ProfitClient(url, credentials.token, limiter, credentials.integrationId);
    this.currency = credentials.currency ?? 'EUR';
    // The memorial journal opening entries go to: Profit's standard one unless the connection names another.
    this.books = new ProfitBooks(this.client, {
      ...books,
      journal: credentials.journal ?? AFAS_FACTS.openingJournal,
      currency: this.currency,
    });
  }

  private readonly currency: string;
  private readonly books: ProfitBooks;

  get stats() {
    return this.client.stats;
  }

  async check(): Promise<PlatformInfo> {
    const { version } = await this.client.version();
    return { currency: this.currency, name: `AFAS Profit ${version}` };
  }

  idOf(entity: EntityName, record: NativeRecord): string {
    return scalarText(record[ENTITIES[this.kind(entity)].idField]);
  }

  accounting(before: string): Promise<AccountingFigures> {
    return this.books.figures(before);
  }

  async *read(entity: EntityName, options: ReadOptions): AsyncIterable<ReadPage> {
    const kind = this.kind(entity);
    const since = options.modifiedSince ? Date.parse(options.modifiedSince) : undefined;
    const all = await this.fetchAll(kind);
    const changed =
      since === undefined || isBooks(kind)
        ? all
        : all.filter((row) => (profitTime(row.ModifiedDate) ?? 0) >= since);
    yield* offsetPages(changed, options.cursor, options.pageSize);
  }

  async fetch(entity: EntityName, ids: string[]): Promise<NativeRecord[]> {
    const wanted = new Set(ids);
    const all = await this.fetchAll(this.kind(entity));
    return all.filter((row) => wanted.has(this.idOf(entity, row)));
  }

  async count(entity: EntityName): Promise<number | null> {
    return (await this.fetchAll(this.kind(entity))).length;
  }

  delete(entity: EntityName): Promise<void> {
    return Promise.reject(
      new SwitchyardError(
        'PLAN_INVALID',
        `deleting AFAS ${entity} is not supported yet; remove them in Profit`,
      ),
    );
  }

  upsert(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    const kind = this.kind(entity);
    if (kind === 'ledgerAccounts' || kind === 'vatCodes') return this.matchSetUp(kind, items);
    if (isBooks(kind)) return writeBatch(this.books.target(kind), items);
    return writeBatch(this.target(kind), items);
  }

  preview(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    const kind = this.kind(entity);
    if (kind === 'ledgerAccounts' || kind === 'vatCodes') return this.matchSetUp(kind, items);
    if (isBooks(kind)) return previewBatch(this.books.target(kind), items);
    return previewBatch(this.target(kind), items);
  }

  /** Each record matched to Profit's own by code, never written; one Profit lacks or disagrees with fails, saying so. */
  private async matchSetUp(kind: 'ledgerAccounts' | 'vatCodes', items: LoadItem[]): Promise<LoadOutcome[]> {
    const { get, key, what, where, agree } = SET_UP_IN_PROFIT[kind];
    const index = await this.index(get, key);
    return items.map((item): LoadOutcome => {
      const code = scalarText(item.payload[key]);
      const found = index.get(code);
      if (!found)
        return {
          sourceId: item.sourceId,
          action: 'failed',
          error: `AFAS Profit has no ${what} ${code}; add it to ${where} in Profit, then run again`,
        };
      for (const field of agree)
        if (!sameValue(found[field], item.payload[field]))
          return {
            sourceId: item.sourceId,
            action: 'failed',
            error: `AFAS Profit's ${what} ${code} has ${field} ${scalarText(found[field])}, the source's ${scalarText(item.payload[field])}; correct one of them, then run again`,
          };
      return { sourceId: item.sourceId, action: 'updated', destinationId: code, written: false };
    });
  }

  // ---- writes ------------------------------------------------------------------------------------

  private target(kind: Exclude<Kind, BookKind>): BatchTarget {
    const stale = () => this.indexes.clear();
    if (kind === 'items')
      return {
        cap: 1,
        match: async (items) => {
          const index = await this.index('Profit_Article', 'ItemCode');
          return items.map((item): Found | undefined => {
            const code = scalarText(item.payload.ItCd);
            if (!code) return { error: 'an AFAS article needs its code (ItCd); the mapping gave none' };
            return index.has(code) ? { id: code } : undefined;
          });
        },
        create: async ([item]) => [await this.article('post', item)],
        update: async ([{ item }]) => [await this.article('put', item)],
        relearn: () => Promise.resolve(stale()),
        stale,
      };
    return {
      cap: 1,
      match: async (items) => {
        const known = new Set((await this.organisations(false)).map((row) => scalarText(row.BcCo)));
        return items.map((item): Found | undefined => {
          const number = scalarText((item.payload.organisation as Row | undefined)?.BcCo);
          if (!number)
            return {
              error: 'an AFAS organisation needs its number (organisation.BcCo); the mapping gave none',
            };
          return known.has(number) ? { id: number } : undefined;
        });
      },
      create: async ([item]) => [await this.relations(item)],
      update: async ([{ item }]) => [await this.relations(item)],
      relearn: () => Promise.resolve(stale()),
      stale,
    };
  }

  private async article(method: 'post' | 'put', item: LoadItem): Promise<ItemAnswer> {
    const fields = present(item.payload);
    const code = scalarText(fields.ItCd);
    try {
      await this.client.update(method, 'FbItemArticle', {
        FbItemArticle: { Element: { ...(method === 'put' ? { '@ItCd': code } : {}), Fields: fields } },
      });
    } catch (error) {
      if (method === 'post' && error instanceof SwitchyardError && EXISTS.test(error.message))
        return { error: error.message, refusal: 'exists' };
      // A refusal of this record alone (Profit's 500) becomes its failure in the batch writer.
      throw error;
    }
    (await this.index('Profit_Article', 'ItemCode')).set(code, { ItemCode: code });
    return { id: code };
  }

  /** Each role the organisation has, inserted or updated, the organisation nested and matched on its number. */
  private async relations(item: LoadItem): Promise<ItemAnswer> {
    const organisation = present(item.payload.organisation as Row);
    const number = scalarText(organisation.BcCo);
    const nested = [
      {
        KnOrganisation: {
          // MatchOga 0: the organisation with this number is reused, never added twice.
          Element: [{ Fields: { PadAdr: true, AutoNum: false, MatchOga: '0', BcId: 0, ...organisation } }],
        },
      },
    ];
    if (!item.payload.debtor && !item.payload.creditor)
      return {
        error:
          'the organisation is neither a customer nor a supplier: AFAS holds organisations through their debtor or creditor relation',
      };
    for (const role of ['debtor', 'creditor'] as const) {
      if (!item.payload[role]) continue;
      const fields = present(item.payload[role]);
      const { update, get, key, row } = ROLES[role];
      const roleNumber = scalarText(fields[key]);
      // Without its number a relation cannot be found again: a second run would add it twice.
      if (!roleNumber) return { error: `an AFAS ${role} needs its number (${key}); the mapping gave none` };
      const index = await this.index(get, row);
      const exists = index.has(roleNumber);
      const body = (method: 'post' | 'put') => ({
        [update]: {
          Element: {
            ...(method === 'put' ? { [`@${key}`]: roleNumber } : {}),
            Fields: { CuId: this.currency, ...(role === 'debtor' ? { CdDa: 0, IsDb: true } : {}), ...fields },
            Objects: nested,
          },
        },
      });
      try {
        await this.client.update(exists ? 'put' : 'post', update, body(exists ? 'put' : 'post'));
      } catch (error) {
        // Inserted already (a reply lost, or made since the index was read): update it.
        if (!exists && error instanceof SwitchyardError && EXISTS.test(error.message))
          await this.client.update('put', update, body('put'));
        else throw error;
      }
      index.set(roleNumber, { [row]: roleNumber, BcCo: number });
    }
    return { id: number };
  }

  // ---- reads -------------------------------------------------------------------------------------

  /** Every organisation with a role: debtors and creditors merged on the organisation's number. */
  private async organisations(fresh: boolean): Promise<Row[]> {
    const byNumber = new Map<string, Row>();
    for (const role of ['debtor', 'creditor'] as const) {
      const { get, row } = ROLES[role];
      for (const relation of (await this.index(get, row, fresh)).values()) {
        const number = scalarText(relation.BcCo);
        const merged = byNumber.get(number) ?? { BcCo: number };
        merged[role] = relation;
        merged.Name ??= relation.DebtorName ?? relation.CreditorName;
        merged.Email ??= relation.Email;
        merged.TelNr ??= relation.TelNr;
        merged.ChOfCommNr ??= relation.ChOfCommNr;
        merged.VatNr ??= relation.VatNr ?? relation['Btw-nummer'];
        merged.ModifiedDate = [merged.ModifiedDate, relation.ModifiedDate].filter(Boolean).sort().pop();
        byNumber.set(number, merged);
      }
    }
    return [...byNumber.values()].sort((a, b) => (a.BcCo < b.BcCo ? -1 : 1));
  }

  /** Every record of a kind, read afresh. */
  private async fetchAll(kind: Kind): Promise<Row[]> {
    if (kind === 'organizations') return this.organisations(true);
    if (isBooks(kind)) return this.books[kind]();
    const [get, key] =
      kind === 'items'
        ? ['Profit_Article', 'ItemCode']
        : [SET_UP_IN_PROFIT[kind].get, SET_UP_IN_PROFIT[kind].key];
    return [...(await this.index(get, key, true)).values()];
  }

  /** A GetConnector's rows by a key field, read whole once (500 a page, in the key's order) and kept. */
  private index(connector: string, key: string, fresh = false): Promise<Map<string, Row>> {
    const name = `${connector}:${key}`;
    let index = fresh ? undefined : this.indexes.get(name);
    if (!index) {
      index = (async () => {
        const rows = new Map<string, Row>();
        for await (const page of skipTakePages<Row>({
          take: AFAS_FACTS.pageSize,
          orderBy: key,
          cursor: null,
          fetch: async (skip, take, orderBy) =>
            (await this.client.rows<Row>(connector, { skip, take, orderbyfieldids: orderBy })).rows,
        }))
          for (const row of page.records) rows.set(scalarText(row[key]), row);
        return rows;
      })();
      index.catch(() => this.indexes.delete(name));
      this.indexes.set(name, index);
    }
    return index;
  }

  private kind(entity: EntityName): Kind {
    if (!(entity in ENTITIES)) throw new SwitchyardError('PLAN_INVALID', `afas cannot handle ${entity} yet`);
    return entity as Kind;
  }
}

/** Two values the same, numbers by value ("21.00" and 21). */
function sameValue(a: unknown, b: unknown): boolean {
  const [x, y] = [scalarText(a), scalarText(b)];
  if (x !== '' && y !== '' && Number.isFinite(Number(x)) && Number.isFinite(Number(y)))
    return Number(x) === Number(y);
  return x === y;
}

/** Fields with a value: Profit's files type every field, and null is none of their types. */
function present(fields: Row): Row {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== null && value !== undefined),
  );
}

/** Profit's `2024-01-26T16:57:43Z` is Amsterdam local time: the instant it means. */
export function profitTime(value: unknown): number | undefined {
  const text = scalarText(value).replace(/Z$/, '');
  if (!text) return undefined;
  const asUtc = Date.parse(`${text}Z`);
  if (!Number.isFinite(asUtc)) return undefined;
  // Amsterdam's offset at that moment (1 or 2 hours), from the platform's own zone rules.
  const local = new Date(new Date(asUtc).toLocaleString('en-US', { timeZone: AFAS_FACTS.timeZone }));
  const utc = new Date(new Date(asUtc).toLocaleString('en-US', { timeZone: 'UTC' }));
  return asUtc - (local.getTime() - utc.getTime());
}
