import { CONTROL_CHARACTER as CONTROL } from '../canonical/text-guard';

/**
 * UTF-8 read as Latin-1/Windows-1252 ("mojibake"): Ã© for é, â€™ for ’, Â  for a non-breaking space.
 * Each pattern is a lead byte of a two- or three-byte UTF-8 sequence followed by a continuation byte.
 */
const MOJIBAKE = /Ã[\u0080-\u00BF]|Â[\u00A0-\u00BF]|â€[™œ\u009D“”–—¦¢]/;

export type TextProblem = { kind: 'encoding'; field: string; message: string };

/** Every string in a record, with its path, checked for control characters and mojibake. */
export function textProblems(record: unknown, path = ''): TextProblem[] {
  if (typeof record === 'string') {
    if (CONTROL.test(record))
      return [
        {
          kind: 'encoding',
          field: path,
          message: `${path} contains a control character (${JSON.stringify(record)}); remove it in the source`,
        },
      ];
    if (MOJIBAKE.test(record))
      return [
        {
          kind: 'encoding',
          field: path,
          message: `${path} looks garbled by a wrong character encoding (${JSON.stringify(record)}); fix the text in the source`,
        },
      ];
    return [];
  }
  if (Array.isArray(record)) return record.flatMap((item, index) => textProblems(item, `${path}.${index}`));
  if (record !== null && typeof record === 'object') {
    return Object.entries(record).flatMap(([key, value]) =>
      key === 'extra' ? [] : textProblems(value, path ? `${path}.${key}` : key),
    );
  }
  return [];
}
