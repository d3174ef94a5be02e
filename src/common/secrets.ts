/**
 * Every secret this process was given (plan credentials, `${VAR}` values), so that no message it prints
 * can carry one: whatever the path a value takes into an error, `redact` takes it out again.
 */
const secrets = new Set<string>();

/** Values shorter than this are too common to hunt for (and too weak to be anyone's secret). */
const MIN_LENGTH = 4;

export function rememberSecret(value: string): void {
  if (value.length >= MIN_LENGTH) secrets.add(value);
}

/** The text with each known secret, as it is and as JSON would escape it, replaced by `***`. */
export function redact(text: string): string {
  let result = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]))
      result = result.split(form).join('***');
  }
  return result;
}
