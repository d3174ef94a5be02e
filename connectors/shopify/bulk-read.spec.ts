import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server as NetServer } from 'node:net';
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

  it('takes a download that breaks part way up again at the byte it reached, and gives up after three', async () => {
    const text = `${lines.join('\n')}\n`;
    const bytes = Buffer.from(text);
    // Each answer stops after 25 bytes (inside a line, and inside a character at some cuts) and drops the connection.
    const ranges: string[] = [];
    let breaks = 0;
    const server = createServer((request, response) => {
      const start = Number(/bytes=(\d+)-/.exec(request.headers.range ?? '')?.[1] ?? 0);
      ranges.push(request.headers.range ?? 'whole');
      const end = breaks < 3 ? Math.min(start + 25, bytes.length) : bytes.length;
      response.writeHead(start > 0 ? 206 : 200, {
        'content-type': 'application/jsonl',
        'content-length': String(bytes.length - start),
      });
      response.write(bytes.subarray(start, end), () => {
        if (end < bytes.length) {
          breaks++;
          response.socket?.destroy();
        } else response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/export.jsonl`;
    const read = async () => {
      const records = [];
      for await (const page of bulkPages(
        { id: 'gid://shopify/BulkOperation/1', status: 'COMPLETED', url },
        100,
        assemble,
      ))
        records.push(...page.records);
      return records;
    };
    try {
      const records = (await read()) as { name: string }[];
      expect(records.map((r) => r.name)).toEqual(Array.from({ length: 7 }, (_, i) => `Zoë ${i} 日本 🚲`));
      expect(ranges).toEqual(['whole', 'bytes=25-', 'bytes=50-', 'bytes=75-']);
      // Broken every time: the fourth break ends the read, saying where.
      breaks = -100;
      ranges.length = 0;
      await expect(read()).rejects.toThrow(/download broke 4 times, the last after byte 100/);
    } finally {
      server.close();
    }
  });

  /** 20,000 records of about 330 bytes (6.6 MB, more than socket buffers hold), as a file. */
  const bigFile = () =>
    Buffer.from(
      `${Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: `P${i}`, name: `record ${i} ${'x'.repeat(300)}` })).join('\n')}\n`,
    );

  /** How many records a reader that waits `pauseMs` after each page reads from what `server` serves. */
  async function readSlowly(server: Server | NetServer, pageSize: number, pauseMs: number): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/export.jsonl`;
    try {
      let count = 0;
      for await (const page of bulkPages(
        { id: 'gid://shopify/BulkOperation/1', status: 'COMPLETED', url },
        pageSize,
        assemble,
      )) {
        count += page.records.length;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
      return count;
    } finally {
      server.close();
    }
  }

  it('reads every record when the far end drops the connection after sending the file, while the reader is slow', async () => {
    // What a Node server's keep-alive timeout does: the file is written, the socket destroyed a moment later,
    // and whatever the slow reader had not taken in yet is lost with it (fetch's `terminated`).
    const bytes = bigFile();
    const server = createServer((request, response) => {
      const start = Number(/bytes=(\d+)-/.exec(request.headers.range ?? '')?.[1] ?? 0);
      response.writeHead(start > 0 ? 206 : 200, { 'content-length': String(bytes.length - start) });
      response.end(bytes.subarray(start));
      if (start === 0) response.on('finish', () => setTimeout(() => request.socket.destroy(), 100));
    });
    expect(await readSlowly(server, 500, 10)).toBe(20_000);
  });

  it('reads every record of an answer sent with Connection: close while the reader is behind', async () => {
    // The answer and the end of its connection arrive while the reader is behind: what ended a service worker
    // reading through fetch (an uncatchable assertion in undici 6 and 7, nodejs/undici#5360).
    const bytes = bigFile();
    const server = createNetServer((socket) => {
      socket.once('data', () => {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`);
        socket.end(bytes);
      });
    });
    expect(await readSlowly(server, 1000, 50)).toBe(20_000);
  });
});
