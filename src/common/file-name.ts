/**
 * Whether two URLs name the same file. A platform stores the files it is given on its own host (Shopify on its
 * CDN, WooCommerce in its uploads folder) under the file's own name, adding a suffix where the name is taken
 * (`shirt-1.png`, `shirt_3f2a9c1e-….png`): the file name, its case and that suffix aside, is what stays.
 */
export function sameFile(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const [left, right] = [fileName(a), fileName(b)];
  if (!left || !right || left.extension !== right.extension) return false;
  if (left.stem === right.stem) return true;
  const suffix = right.stem.startsWith(left.stem) ? right.stem.slice(left.stem.length) : '';
  return /^(-\d+|_[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|_[0-9a-f]{6,})$/.test(suffix);
}

/** A URL's file name, split into stem and extension (lower case, decoded); null for what is not a URL. */
function fileName(value: unknown): { stem: string; extension: string } | null {
  if (typeof value !== 'string' || !URL.canParse(value)) return null;
  const raw = new URL(value).pathname.split('/').pop() ?? '';
  let name = raw.toLowerCase();
  try {
    name = decodeURIComponent(raw).toLowerCase();
  } catch {
    // A malformed escape: compare the name as it is written.
  }
  const dot = name.lastIndexOf('.');
  return dot > 0
    ? { stem: name.slice(0, dot), extension: name.slice(dot + 1) }
    : { stem: name, extension: '' };
}
