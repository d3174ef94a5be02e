import { validate, version } from 'uuid';
import { newRowId } from './row-id';

describe('row ids', () => {
  it('are version 7 UUIDs, all different, sorting in the order they were made', () => {
    const ids = Array.from({ length: 20_000 }, () => newRowId());
    expect(ids.every((id) => validate(id) && version(id) === 7)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
