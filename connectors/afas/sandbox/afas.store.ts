import { randomBytes } from 'node:crypto';
import { scalarText } from '../../../src/connectors';
import { ProfitLedger } from './afas.ledger';

type Row = Record<string, any>;

/** A functional refusal: Profit answers 500 with its message, a number and a log reference. */
export class ProfitError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorNumber = -2147220469,
  ) {
    super(message);
  }

  body(): Row {
    return this.status === 500
      ? {
          externalMessage: this.message,
          errorNumber: this.errorNumber,
          profitLogReference: randomBytes(16).toString('hex'),
        }
      : { message: this.message };
  }
}

/**
 * Profit's datetimes: Amsterdam local time written with a `Z` it does not mean (get-connector.md). The
 * sandbox stamps them the way Profit does, so a client that trusts the `Z` is an hour or two off.
 */
export function profitNow(at = Date.now()): string {
  const local = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Amsterdam',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(at);
  return `${local.replace(' ', 'T')}Z`;
}

/** One Profit administration: organisations, debtors, creditors, articles, ledger accounts, VAT codes, its books. */
export class AfasStore {
  readonly organisations = new Map<string, Row>();
  readonly debtors = new Map<string, Row>();
  readonly creditors = new Map<string, Row>();
  readonly articles = new Map<string, Row>();
  readonly accounts = new Map<string, Row>();
  readonly vatCodes = new Map<string, Row>();
  /** The books: financial entries and what they add up to. */
  readonly ledger: ProfitLedger;
  readonly currencies: Set<string>;
  private nextNumber = { organisation: 100000, debtor: 10000, creditor: 20000 };

  constructor(seed: Record<string, unknown> = {}) {
    this.currencies = new Set((seed.currencies as string[] | undefined) ?? ['EUR', 'USD', 'GBP']);
    for (const row of (seed.accounts as Row[] | undefined) ?? [])
      this.accounts.set(scalarText(row.Account), row);
    for (const row of (seed.vatCodes as Row[] | undefined) ?? [])
      this.vatCodes.set(scalarText(row.VatCode), row);
    for (const row of (seed.articleGroups as string[] | undefined) ?? ['ALG']) this.groups.add(row);
    for (const row of (seed.units as string[] | undefined) ?? ['stk', 'pc']) this.units.add(row);
    this.ledger = new ProfitLedger(this, seed);
  }

  readonly groups = new Set<string>();
  readonly units = new Set<string>();

  /**
   * An organisation as KnOrganisation asks: MatchOga 0 reuses the one with its number (BcCo), 1 its Chamber
   * of Commerce number, 3 its name; 6 always adds one. AutoNum numbers a new one.
   */
  organisation(fields: Row): Row {
    const match = scalarText(fields.MatchOga, '0');
    const found =
      match === '0' && fields.BcCo
        ? this.organisations.get(scalarText(fields.BcCo))
        : match === '1' && fields.CcNr
          ? [...this.organisations.values()].find((org) => org.CcNr === fields.CcNr)
          : match === '3' && fields.Nm
            ? [...this.organisations.values()].find((org) => org.Nm === fields.Nm)
            : undefined;
    if (found) {
      Object.assign(found, withoutControl(fields), { ModifiedDate: profitNow() });
      return found;
    }
    if (!fields.Nm) throw new ProfitError(500, 'Organisatie: het veld Naam is verplicht.');
    const number =
      fields.AutoNum || !fields.BcCo ? String(++this.nextNumber.organisation) : scalarText(fields.BcCo);
    if (this.organisations.has(number))
      throw new ProfitError(
        500,
        `Organisatie ${number} bestaat al. Gebruik MatchOga 0 om deze bij te werken.`,
      );
    const row = {
      ...withoutControl(fields),
      BcCo: number,
      CreateDate: profitNow(),
      ModifiedDate: profitNow(),
    };
    this.organisations.set(number, row);
    return row;
  }

  relation(kind: 'debtor' | 'creditor', fields: Row, organisation: Row | undefined, existing?: string): Row {
    const table = kind === 'debtor' ? this.debtors : this.creditors;
    const key = kind === 'debtor' ? 'DbId' : 'CrId';
    if (fields.CuId && !this.currencies.has(scalarText(fields.CuId)))
      throw new ProfitError(500, `Valuta ${scalarText(fields.CuId)} bestaat niet.`);
    if (existing !== undefined) {
      const row = table.get(existing);
      if (!row)
        throw new ProfitError(
          500,
          `${kind === 'debtor' ? 'Debiteur' : 'Crediteur'} ${existing} bestaat niet.`,
        );
      Object.assign(row, withoutControl(fields), { ModifiedDate: profitNow() });
      if (organisation) row.BcCo = organisation.BcCo;
      return row;
    }
    if (!organisation)
      throw new ProfitError(500, 'Een relatie heeft een organisatie of persoon nodig (KnOrganisation).');
    const number = fields[key] ? scalarText(fields[key]) : String(++this.nextNumber[kind]);
    if (table.has(number))
      throw new ProfitError(500, `${kind === 'debtor' ? 'Debiteur' : 'Crediteur'} ${number} bestaat al.`);
    const row = {
      ...withoutControl(fields),
      [key]: number,
      BcCo: organisation.BcCo,
      CreateDate: profitNow(),
      ModifiedDate: profitNow(),
    };
    table.set(number, row);
    return row;
  }

  article(fields: Row, existing?: string): Row {
    const code = existing ?? scalarText(fields.ItCd);
    const row = this.articles.get(code);
    if (existing !== undefined && !row) throw new ProfitError(500, `Artikel ${code} bestaat niet.`);
    if (existing === undefined && row) throw new ProfitError(500, `Artikel ${code} bestaat al.`);
    if (!code) throw new ProfitError(500, 'Artikel: het veld Itemcode is verplicht.');
    const next: Row = {
      ...row,
      ...withoutControl(fields),
      ItCd: code,
      ModifiedDate: profitNow(),
      CreateDate: row?.CreateDate ?? profitNow(),
    };
    if (!this.groups.has(scalarText(next.Grp)))
      throw new ProfitError(500, `Artikelgroep ${scalarText(next.Grp)} bestaat niet.`);
    if (!this.units.has(scalarText(next.BiUn)))
      throw new ProfitError(500, `Eenheid ${scalarText(next.BiUn)} bestaat niet.`);
    this.articles.set(code, next);
    return next;
  }
}

/** Fields without the ones that steer matching rather than hold data. */
function withoutControl(fields: Row): Row {
  return Object.fromEntries(Object.entries(fields).filter(([key]) => !CONTROL.has(key)));
}

const CONTROL = new Set(['MatchOga', 'AutoNum', 'PadAdr', 'BcId']);
