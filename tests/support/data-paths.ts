/** Installed test data (Debian packages; never committed). */
export const SKIMAGE_DIR = '/usr/lib/python3/dist-packages/skimage/data';
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Natural colour photographs from python3-skimage. */
export const PHOTOS = [
  'astronaut.png',
  'chelsea.png',
  'coffee.png',
  'rocket.jpg',
  'motorcycle_left.png',
  'hubble_deep_field.jpg',
] as const;
