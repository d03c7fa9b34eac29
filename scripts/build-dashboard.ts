import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * The dashboard: one browser bundle (Preact, htm, uPlot, qrcode) and its CSS
 * (uPlot's and ours), named by content hash under assets/, and an index.html
 * that loads them: no inline script or style, so the page's CSP can forbid both.
 * Each file gets its brotli (.br) and gzip (.gz) copy beside it, compressed
 * once here at the highest levels, so the hub compresses nothing itself
 * (host/hub/dashboard-files.ts).
 */
export async function buildDashboard(entry: string, outdir: string): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: [entry],
    outdir,
    entryNames: 'assets/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    bundle: true,
    platform: 'browser',
    target: 'es2020',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((f) => basename(f));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (!js || !css) throw new Error(`the dashboard build made no ${js ? 'CSS' : 'script'} (outputs: ${outputs.join(', ')})`);
  writeFileSync(
    `${outdir}/index.html`,
    [
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<meta name="color-scheme" content="light dark">',
      '<title>Fazt</title>',
      `<link rel="stylesheet" href="/assets/${css}">`,
      `<script type="module" src="/assets/${js}"></script>`,
      '</head>',
      '<body><main id="app"><p>Loading…</p></main></body>',
      '</html>',
      '',
    ].join('\n'),
  );
  for (const file of [join(outdir, 'index.html'), ...outputs.map((f) => join(outdir, 'assets', f))]) {
    const raw = readFileSync(file);
    writeFileSync(`${file}.br`, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }));
  }
}
