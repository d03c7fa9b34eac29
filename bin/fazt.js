#!/usr/bin/env node
// The `fazt` command: the host bundle built by `npm run build` (npm install runs it via prepare).
import('../dist/fazt.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/fazt.js')) {
    process.stderr.write('fazt: not built yet; run npm run build\n');
    process.exit(1);
  }
  throw e;
});
