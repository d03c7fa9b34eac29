import { bundleWithInputs } from './xs-bundle.js';
import { loadCachedImage, storeCachedImage, type XsImage } from './xs-image-cache.js';
import { fitSnapshot } from './xs-snapshot-fit.js';
import { XsWorker } from './xs-worker.js';

const images = new Map<string, Promise<XsImage>>();

/**
 * A firmware entry evaluated once in XS and kept as a snapshot of the machine:
 * engines started from it skip the bundle's parse and evaluation and never
 * hold the parser's memory (~10 MB resident each), and no bigger than the
 * image needs (xs-snapshot-fit.ts). Made once per process and
 * kept for the next one (xs-image-cache.ts) while the entry's sources and the
 * engine are unchanged, so a start needs neither esbuild nor the evaluation.
 * The entry's top level must not call the host: none is attached.
 */
export function snapshotOf(entry: string): Promise<XsImage> {
  let image = images.get(entry);
  if (!image) {
    const cached = loadCachedImage(entry);
    image = cached ? Promise.resolve(cached) : make(entry);
    images.set(entry, image);
    void image.catch(() => images.delete(entry)); // tried again next time
  }
  return image;
}

async function make(entry: string): Promise<XsImage> {
  const { code, inputs } = await bundleWithInputs(entry);
  const maker = new XsWorker();
  let snapshot: Uint8Array;
  try {
    await maker.evaluate(code);
    snapshot = fitSnapshot(await maker.snapshot());
  } finally {
    await maker.close();
  }
  const image = { snapshot, bundleBytes: Buffer.byteLength(code) };
  storeCachedImage(entry, inputs, image);
  return image;
}
