import {
  attachmentsBySource,
  IMAGE_SOURCES_META,
  reusingAttachments,
  withImageSources,
  withoutInvalidAttachment,
  withoutRefusedImages,
  withSourceImages,
} from './woocommerce.images';

describe('a product written again without the images a store refused', () => {
  const payload = {
    name: 'Shirt',
    images: [
      { id: 12, src: 'kept by id' },
      { src: 'https://cdn.example/a.png' },
      { src: 'https://cdn.example/gone.jpg' },
      { src: 'https://cdn.example/notes.txt' },
      { src: 'http://[bad/x.png' },
    ],
  };

  it('drops the image the refusal names, and keeps the rest', () => {
    const message = 'Error getting remote image https://cdn.example/gone.jpg. Error: Not Found';
    expect(withoutRefusedImages({ images: payload.images.slice(0, 3) }, message)).toEqual({
      payload: { images: payload.images.slice(0, 2) },
      dropped: ['https://cdn.example/gone.jpg (Not Found)'],
    });
  });

  it('drops what the store cannot take when the refusal names no image, a URL that does not parse among them', () => {
    const pruned = withoutRefusedImages(
      payload,
      'Invalid image: Sorry, you are not allowed to upload this file type.',
    );
    expect(pruned?.payload.images).toEqual(payload.images.slice(0, 3));
    expect(pruned?.dropped).toEqual([
      'https://cdn.example/notes.txt (not an image type the store takes)',
      'http://[bad/x.png (not a URL)',
    ]);
  });

  it('leaves the refusal standing when nothing can be dropped', () => {
    expect(withoutRefusedImages({ images: payload.images.slice(0, 2) }, 'Invalid image: …')).toBeNull();
  });
});

describe("a product's images against the attachments the store holds for it", () => {
  const a = 'https://cdn.example/a.png';
  const b = 'https://cdn.example/b.png';
  const written = withImageSources({
    images: [{ src: a }, { src: b }],
    meta_data: [{ key: 'other', value: 1 }],
  });
  const stored = {
    images: [
      { id: 7, src: 'https://store/a.png' },
      { id: 8, src: 'https://store/b.png' },
    ],
  };

  it('finds each source image by the order the meta lists them in, and sends those by id', () => {
    expect(written.meta_data).toEqual([
      { key: 'other', value: 1 },
      { key: IMAGE_SOURCES_META, value: JSON.stringify([a, b]) },
    ]);
    const held = attachmentsBySource({ ...stored, meta_data: written.meta_data });
    expect(
      reusingAttachments({ images: [{ src: b }, { src: 'https://cdn.example/new.png' }] }, held),
    ).toEqual({
      images: [{ src: b, id: 8 }, { src: 'https://cdn.example/new.png' }],
    });
  });

  it('shows a product with its images under the URLs they were written from', () => {
    expect(withSourceImages({ ...stored, meta_data: written.meta_data }).images).toEqual([
      { id: 7, src: a },
      { id: 8, src: b },
    ]);
    expect(
      withSourceImages({ ...stored, images: stored.images.slice(1), meta_data: written.meta_data }),
    ).toEqual({
      ...stored,
      images: stored.images.slice(1),
      meta_data: written.meta_data,
    });
  });

  it('trusts nothing when the images no longer line up with the meta (edited in the store)', () => {
    expect(attachmentsBySource({ images: stored.images.slice(1), meta_data: written.meta_data }).size).toBe(
      0,
    );
    expect(
      attachmentsBySource({ images: stored.images, meta_data: [{ key: IMAGE_SOURCES_META, value: '{' }] })
        .size,
    ).toBe(0);
  });

  it('sends an attachment the store says it lacks by its source URL again', () => {
    const payload = {
      images: [
        { id: 8, src: b, alt: 'x' },
        { id: 9, src: a },
      ],
    };
    expect(withoutInvalidAttachment(payload, '#8 is an invalid image ID.')).toEqual({
      images: [
        { src: b, alt: 'x' },
        { id: 9, src: a },
      ],
    });
    expect(withoutInvalidAttachment(payload, '#10 is an invalid image ID.')).toBeNull();
  });
});
