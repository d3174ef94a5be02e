/**
 * The connector kit: what most connectors would otherwise write again each (the requester with its error
 * mapping, retries and budgets; the paging styles; the batch writer). A connector declares its platform's
 * protocol and endpoints and keeps only what its data cannot say. Totals adds up a platform's books.
 */
export * from './batch-writer';
export * from './daily-quota';
export * from './paginators';
export * from './requester';
export * from './totals';
export * from './rolling-window';
export * from './token-bucket';
export * from './local-limiter';
