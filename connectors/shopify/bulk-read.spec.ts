import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bulkPages } from './bulk-read';

/** Serves `text` in chunks of `size` bytes, each flushed on its own: lines and characters cut anywhere. */
async function chunked(text: string, size: number): Promise<{ url: string; server: Server }> {
  const bytes = Buffer.from(text);
  const server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'application/jsonl' });
    let at = 0;
    const next = () => {
      if (at >= bytes.length) return response.end();
      response.write(bytes.subarray(at, (at += size)), next);
    };
    next();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/export.jsonl`, server };
}

const assemble = (parent: Record<string, any>, children: Record<string, any>[]) => ({ ...parent, children });

async function pagesOf(text: string, chunk: number, pageSize: number) {
  const { url, server } = await chunked(text, chunk);
  try {
    const pages = [];
    for await (const page of bulkPages(
      { id: 'gid://shopify/BulkOperation/1', status: 'COMPLETED', url },
      pageSize,
      assemble,
    ))
      pages.push(page);
    return pages;
  } finally {
    server.close();
  }
}

describe('bulk export reading', () => {
  // Parents with children on the lines after them, names with characters of 2 to 4 bytes, CRLF line ends.
  const lines = Array.from({ length: 7 }, (_, i) => [
    JSON.stringify({ id: `P${i}`, name: `Zoë ${i} 日本 🚲` }),
    ...Array.from({ length: i % 3 }, (_, c) => JSON.stringify({ id: `C${i}.${c}`, __parentId: `P${i}` })),
  ]).flat();

  it.each([1, 3, 7, 64, 65536])(
    'reads the same records whatever the chunks (%i bytes) cut',
    async (chunk) => {
      const pages = await pagesOf(`${lines.join('\r\n')}\r\n`, chunk, 3);
      expect(pages.map((page) => page.records.length)).toEqual([3, 3, 1]);
      expect(pages.map((page) => page.nextCursor)).toEqual(['bulk', 'bulk', null]);
      const records = pages.flatMap((page) => page.records) as { name: string; children: { id: string }[] }[];
      expect(records.map((r) => r.name)).toEqual(Array.from({ length: 7 }, (_, i) => `Zoë ${i} 日本 🚲`));
      // Each parent has exactly its own children, without the marker, even when a page ends right before them.
      expect(records.map((r) => r.children.map((c) => c.id))).toEqual(
        Array.from({ length: 7 }, (_, i) => Array.from({ length: i % 3 }, (_, c) => `C${i}.${c}`)),
      );
      expect(records.flatMap((r) => r.children).some((c) => '__parentId' in c)).toBe(false);
    },
  );

  it('reads a file without a last line end, and an empty one as one empty page', async () => {
    expect((await pagesOf(lines.join('\n'), 5, 100)).map((page) => page.records.length)).toEqual([7]);
    expect(await pagesOf('', 5, 100)).toEqual([{ records: [], nextCursor: null }]);
  });

  it('refuses a child away from its parent, naming the line', async () => {
    const broken = [lines[0], JSON.stringify({ id: 'X', __parentId: 'P9' })].join('\n');
    await expect(pagesOf(broken, 4, 100)).rejects.toThrow(/on line 2, an object of P9 away from its parent/);
  });
});
