/** A hand-written migration script the hub is measured against: returns how many records it wrote. */
export interface Endpoints {
  source: string;
  destination: string;
}
export type Baseline = (endpoints: Endpoints) => Promise<number>;

/** Source pages regrouped into the destination's batches. */
export async function* regroup<T>(pages: AsyncIterable<T[]>, size: number): AsyncGenerator<T[]> {
  const held: T[] = [];
  for await (const page of pages) {
    held.push(...page);
    while (held.length >= size) yield held.splice(0, size);
  }
  if (held.length > 0) yield held;
}
