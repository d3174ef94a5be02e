/** Reads a WooCommerce list straight from the sandbox's REST API (query-string keys), all pages. */
export async function wooList(baseUrl: string, resource: string): Promise<Record<string, any>[]> {
  const all: Record<string, any>[] = [];
  for (let page = 1; ; page++) {
    const url = `${baseUrl}/wp-json/wc/v3/${resource}?per_page=100&page=${page}&consumer_key=ck_sandbox&consumer_secret=cs_sandbox`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url} → ${response.status}`);
    all.push(...((await response.json()) as Record<string, any>[]));
    if (page >= Number(response.headers.get('x-wp-totalpages') ?? 1)) return all;
  }
}

export function sourceIds(orders: Record<string, any>[]): string[] {
  return orders.map(
    (order) =>
      (order.meta_data as { key: string; value: string }[]).find(
        (meta) => meta.key === '_switchyard_source_id',
      )?.value ?? 'none',
  );
}
