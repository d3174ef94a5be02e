/** AFAS Profit's documented facts the connector relies on (../shared/reference/crm-erp-apis.md §4). */
export const AFAS_FACTS = {
  /** Profit asks for at most 5 simultaneous calls per environment. */
  maxConcurrent: 5,
  /** Rows a GetConnector page asks for: well inside columns × rows < 150,000. */
  pageSize: 500,
  /** Profit's datetimes are Amsterdam local time, whatever their `Z` says. */
  timeZone: 'Europe/Amsterdam',
  /** Profit's standard memorial journal ("Memoriaal"), where opening entries go unless a connection names another. */
  openingJournal: '90',
} as const;
