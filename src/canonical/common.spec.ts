import { isoDate, isoTimestamp, isRealDay } from './common';

describe('calendar days', () => {
  it('exist only as the Gregorian calendar has them: leap years, month lengths, no day or month 0', () => {
    const real = ['2024-02-29', '2000-02-29', '2026-01-31', '2026-04-30', '2026-12-31', '0000-02-29'];
    const unreal = [
      '2023-02-29',
      '1900-02-29',
      '2026-02-30',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
    ];
    expect(real.filter((day) => !isRealDay(day))).toEqual([]);
    expect(unreal.filter((day) => isRealDay(day))).toEqual([]);
    expect(['', '2026-1-01', '+002026-01-01', 'soon'].filter((day) => isRealDay(day))).toEqual([]);
  });

  it('are what dates and timestamps must be', () => {
    expect(isoDate.safeParse('2024-02-29').success).toBe(true);
    expect(isoDate.safeParse('2026-02-31').success).toBe(false);
    expect(isoTimestamp.safeParse('2024-02-29T23:59:59.5Z').success).toBe(true);
    expect(isoTimestamp.safeParse('2026-02-31T10:00:00Z').success).toBe(false);
  });
});
