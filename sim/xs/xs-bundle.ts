import { resolve } from 'node:path';

/** A bundle and the source files it was built from (absolute paths). */
export interface XsBundle {
  code: string;
  inputs: string[];
}

const bundles = new Map<string, Promise<XsBundle>>();
let building = 0;

/**
 * Bundles a firmware entry for XS: neutral platform (no Node built-ins can
 * sneak in: the build fails), target es2020 (XS 13.3 as built by xsnap
 * rejects class static fields that refer to their own class; es2020 lowers
 * them), one IIFE script for `e<code>`. Each entry is bundled once per process
 * (three demo nodes share one build), and esbuild's service process (~35 MB
 * resident) is stopped when no build is in flight: a long-running simulation
 * does not keep it. (A later build starts it again.) esbuild itself (~12 MB
 * in this process) loads on the first build: a start from a cached image
 * (xs-snapshot.ts) never loads it.
 */
export function bundleWithInputs(entry: string, options: { minify?: boolean } = {}): Promise<XsBundle> {
  const key = `${options.minify ? 'min' : 'dev'}:${entry}`;
  let bundle = bundles.get(key);
  if (!bundle) {
    building++;
    const esbuild = import('esbuild');
    bundle = esbuild
      .then(({ build }) =>
        build({
          entryPoints: [entry],
          bundle: true,
          write: false,
          metafile: true,
          platform: 'neutral',
          mainFields: ['module', 'main'],
          target: 'es2020',
          format: 'iife',
          minify: options.minify ?? false,
          legalComments: 'none',
          logLevel: 'silent',
        }),
      )
      .then((result) => ({ code: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs).map((p) => resolve(p)) }))
      .finally(() => {
        if (--building === 0) void esbuild.then(({ stop }) => stop()).catch(() => undefined); // no esbuild: the build already failed
      });
    bundles.set(key, bundle);
    void bundle.catch(() => bundles.delete(key)); // a failed build is tried again next time
  }
  return bundle;
}

export async function bundleForXs(entry: string, options: { minify?: boolean } = {}): Promise<string> {
  return (await bundleWithInputs(entry, options)).code;
}
