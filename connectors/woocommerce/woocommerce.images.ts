type Row = Record<string, any>;

/** A store refuses a whole product when it cannot download one of its new images (wc-rest-functions.php). */
export const IMAGE_UPLOAD_ERROR = 'woocommerce_product_image_upload_error';
/** A store refuses a product naming an attachment its media library does not hold (set_product_images). */
export const INVALID_IMAGE_ID = 'woocommerce_product_invalid_image_id';
/** The types a store takes an image as (wc_rest_allowed_image_mime_types). */
const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'jpe', 'gif', 'png', 'bmp', 'tiff', 'tif', 'ico', 'webp']);

/**
 * A product payload without the new images a store refused (`Error getting remote image <src>. Error: …`
 * names one; "Invalid image: …" names none, so every new image of a type the store does not take), with
 * each dropped image and why. Null when nothing could be dropped: the refusal then stands.
 */
export function withoutRefusedImages(
  payload: Row,
  message: string,
): { payload: Row; dropped: string[] } | null {
  const images = Array.isArray(payload.images) ? (payload.images as Row[]) : [];
  const named = /^Error getting remote image (\S+?)\.? Error: (.*)$/s.exec(message);
  const dropped: string[] = [];
  const kept = images.filter((image) => {
    const src = typeof image?.src === 'string' && !(Number(image.id) > 0) ? image.src : null;
    if (src === null) return true;
    const reason =
      named && named[1] === src
        ? named[2].trim() || 'it could not be downloaded'
        : !URL.canParse(src)
          ? 'not a URL'
          : !IMAGE_EXTENSIONS.has(new URL(src).pathname.split('.').pop()?.toLowerCase() ?? '')
            ? 'not an image type the store takes'
            : null;
    if (reason) dropped.push(`${src} (${reason})`);
    return reason === null;
  });
  return dropped.length > 0 ? { payload: { ...payload, images: kept }, dropped } : null;
}

/** The product meta that lists, in order, the source URL each of its images was loaded from. */
export const IMAGE_SOURCES_META = '_switchyard_image_sources';

/**
 * A product payload carrying the sources of its images in meta data, so a later write knows which of the
 * store's attachments holds which source image.
 */
export function withImageSources(payload: Row): Row {
  if (!Array.isArray(payload.images)) return payload;
  const sources = (payload.images as Row[]).map((image) => String(image?.src ?? ''));
  return {
    ...payload,
    meta_data: [
      ...((payload.meta_data as Row[] | undefined) ?? []).filter((meta) => meta.key !== IMAGE_SOURCES_META),
      { key: IMAGE_SOURCES_META, value: JSON.stringify(sources) },
    ],
  };
}

/**
 * A product's images, each with the source URL it was loaded from: its images in order against the
 * sources its meta lists. Null when the two no longer line up (images edited in the store) or there is no
 * such meta.
 */
function imagesWithSources(product: Row): { image: Row; source: string }[] | null {
  const meta = (product.meta_data as Row[] | undefined)?.find((m) => m.key === IMAGE_SOURCES_META);
  const images = Array.isArray(product.images) ? (product.images as Row[]) : [];
  let sources: unknown;
  try {
    sources = JSON.parse(String(meta?.value ?? 'null'));
  } catch {
    return null;
  }
  if (!Array.isArray(sources) || sources.length !== images.length) return null;
  return images.map((image, index) => ({ image, source: String(sources[index]) }));
}

/** The attachments a product already holds, by the source URL each was loaded from. */
export function attachmentsBySource(product: Row): Map<string, number> {
  return new Map((imagesWithSources(product) ?? []).map(({ image, source }) => [source, Number(image.id)]));
}

/**
 * A product with its images under the URLs they were written from (the store serves its own copies): the shape
 * its write had, so a rollback can tell whether the store still holds what the run wrote.
 */
export function withSourceImages(product: Row): Row {
  const paired = imagesWithSources(product);
  return paired
    ? { ...product, images: paired.map(({ image, source }) => ({ ...image, src: source })) }
    : product;
}

/**
 * A payload whose images the product holds already go by attachment id: a store downloads an image given
 * by `src` alone into a new attachment on every write, so an update would pile up copies.
 */
export function reusingAttachments(payload: Row, held: Map<string, number>): Row {
  if (!Array.isArray(payload.images) || held.size === 0) return payload;
  return {
    ...payload,
    images: (payload.images as Row[]).map((image) => {
      const id = held.get(String(image?.src ?? ''));
      return id && !(Number(image.id) > 0) ? { ...image, id } : image;
    }),
  };
}

/**
 * The payload with an attachment the store refused (`#N is an invalid image ID.`: deleted from its media
 * library since) sent by its source URL again. Null when the message names no attachment of the payload.
 */
export function withoutInvalidAttachment(payload: Row, message: string): Row | null {
  const id = Number(/^#(\d+) is an invalid image ID\.?$/.exec(message)?.[1] ?? 0);
  const images = Array.isArray(payload.images) ? (payload.images as Row[]) : [];
  if (!(id > 0) || !images.some((image) => Number(image?.id) === id)) return null;
  return {
    ...payload,
    images: images.map((image) => {
      if (Number(image?.id) !== id) return image;
      const bySource = { ...image };
      delete bySource.id;
      return bySource;
    }),
  };
}
