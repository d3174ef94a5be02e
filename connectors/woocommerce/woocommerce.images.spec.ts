import { withoutRefusedImages } from './woocommerce.images';

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
