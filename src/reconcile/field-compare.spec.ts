import { compareRecords } from './field-compare';

describe('comparing a source record with its destination', () => {
  const image = (src: string) => ({ images: [{ src, alt: 'Shirt' }] });

  it('takes an image the destination rehosted as the same file', () => {
    const source = image('https://shop.example/wp-content/uploads/2024/01/Shirt%20Blue.PNG');
    for (const rehosted of [
      'https://cdn.shopify.com/s/files/1/0000/0001/files/shirt%20blue.png?v=1700000000',
      'https://cdn.shopify.com/s/files/1/0000/0001/files/shirt%20blue_3f2a9c1e-0b1c-4d2e-8f3a-123456789abc.png',
      'https://store.example/wp-content/uploads/2026/12/Shirt%20Blue-1.png',
    ])
      expect(compareRecords(source, image(rehosted), [])).toEqual([]);
  });

  it('tells another file apart, and still compares other URLs exactly', () => {
    const source = image('https://shop.example/shirt.png');
    for (const other of [
      'https://cdn.example/shirt.jpg',
      'https://cdn.example/shirts.png',
      'https://cdn.example/shirt-blue.png',
    ])
      expect(compareRecords(source, image(other), [])).toEqual([
        { field: 'images.0.src', source: 'https://shop.example/shirt.png', destination: other },
      ]);
    expect(
      compareRecords({ website: 'https://a.example/x.png' }, { website: 'https://b.example/x.png' }, []),
    ).toHaveLength(1);
  });
});
