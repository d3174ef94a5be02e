import { v7 } from 'uuid';

/**
 * The id of a ledger row written by the thousand (a record's row, a journal entry): a UUID that sorts by the
 * time it was made (version 7, RFC 9562). Each new row then lands at the end of its table's primary key index
 * instead of on a random page of it, so a page's commit writes a few index pages, not one per row: a
 * 10,000-customer store's journal and record inserts and commits on SQLite took 2.1 s instead of 4.1 s.
 */
export const newRowId = (): string => v7();
