/** CSS imported for its side effect: esbuild bundles it into the page's stylesheet. */
declare module '*.css';
