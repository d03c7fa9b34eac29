import { build } from 'esbuild';

/**
 * Bundles a firmware entry for XS: neutral platform (no Node built-ins can
 * sneak in: the build fails), target es2020 (XS 13.3 as built by xsnap
 * rejects class static fields that refer to their own class; es2020 lowers
 * them), one IIFE script for `e<code>`.
 */
export async function bundleForXs(entry: string, options: { minify?: boolean } = {}): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2020',
    format: 'iife',
    minify: options.minify ?? false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
