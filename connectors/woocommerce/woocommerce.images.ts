type Row = Record<string, any>;

/** A store refuses a whole product when it cannot download one of its new images (wc-rest-functions.php). */
export const IMAGE_UPLOAD_ERROR = 'woocommerce_product_image_upload_error';
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
