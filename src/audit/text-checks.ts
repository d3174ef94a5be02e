import { textsOf } from '../canonical/field-path';
import { CONTROL_CHARACTER as CONTROL } from '../canonical/text-guard';

/**
 * UTF-8 read as Latin-1/Windows-1252 ("mojibake"): Ã© for é, â€™ for ’, Â  for a non-breaking space.
 * Each pattern is a lead byte of a two- or three-byte UTF-8 sequence followed by a continuation byte.
 */
const MOJIBAKE = /Ã[\u0080-\u00BF]|Â[\u00A0-\u00BF]|â€[™œ\u009D“”–—¦¢]/;

export type TextProblem = { kind: 'encoding'; field: string; message: string };

/** Every string in a record, with its path, checked for control characters and mojibake. */
export function textProblems(record: unknown): TextProblem[] {
  return textsOf(record).flatMap(({ at: field, text }): TextProblem[] => {
    if (CONTROL.test(text))
      return [
        {
          kind: 'encoding',
          field,
          message: `${field} contains a control character (${JSON.stringify(text)}); remove it in the source`,
        },
      ];
    if (MOJIBAKE.test(text))
      return [
        {
          kind: 'encoding',
          field,
          message: `${field} looks garbled by a wrong character encoding (${JSON.stringify(text)}); fix the text in the source`,
        },
      ];
    return [];
  });
}
