import { sameFile, scalarText } from '../../src/connectors';

type Row = Record<string, any>;

/** A product's media as a write sees them. */
export interface MediaState {
  id: string;
  status: 'UPLOADED' | 'PROCESSING' | 'READY' | 'FAILED';
  mediaErrors?: { code: string; details?: string | null; message: string }[];
  image?: { url: string } | null;
}

/** Waits between looks at media still processing: about a minute in all, as Shopify processes in seconds. */
export const MEDIA_WAITS_MS = [100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600];

/**
 * The files a product write sends: the ones the product holds already (READY, stored under the source's file
 * name) by their media id, each media used once, so Shopify does not download them into a copy; new ones by
 * `originalSource`.
 */
export function filesToSend(files: Row[], held: MediaState[]): { files: Row[]; sources: string[] } {
  const free = held.filter((media) => media.status === 'READY' && media.image?.url);
  const sources = files.map((file) => scalarText(file.originalSource));
  return {
    files: files.map((file, index) => {
      const at = free.findIndex((media) => sameFile(sources[index], media.image!.url));
      if (at < 0) return file;
      const [media] = free.splice(at, 1);
      return { id: media.id, alt: file.alt };
    }),
    sources,
  };
}

export const inProgress = (media: MediaState[]) =>
  media.some((m) => m.status === 'UPLOADED' || m.status === 'PROCESSING');

/** Each file Shopify could not process, by the source it was sent from (media come back in the order sent). */
export function failedFiles(sources: string[], media: MediaState[]): { source: string; reason: string }[] {
  return media.flatMap((m, index) => {
    if (m.status !== 'FAILED') return [];
    const error = m.mediaErrors?.[0];
    const reason = error ? `${error.code}${error.details ? `: ${error.details}` : ''}` : 'FAILED';
    return [{ source: sources[index] ?? m.id, reason }];
  });
}

/** The write's files without the ones that failed, the rest by id: a productSet of these removes them. */
export function withoutFailed(media: MediaState[], sent: Row[]): Row[] {
  return media.flatMap((m, index) => (m.status === 'FAILED' ? [] : [{ id: m.id, alt: sent[index]?.alt }]));
}
