/** An image file's RGBA pixels at size × size, decoded and resized as the engine worker does. */
export async function resizedPixels(file: Blob, size: number): Promise<ImageData> {
  const bitmap = await createImageBitmap(file, {
    imageOrientation: 'from-image',
    resizeWidth: size,
    resizeHeight: size,
    resizeQuality: 'high',
  });
  const canvas = new OffscreenCanvas(size, size);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, size, size);
}
