import { defineConfig } from 'tsup';

// No `clean`: the two builds run at once and one would delete the other's files; the build
// script empties dist/ first.
export default defineConfig([
  {
    // ESM one file per module, as the sources are: with `"sideEffects": false` an app's bundler
    // drops every module it does not import. One bundled file kept every valibot schema in any
    // app that imported anything (its top-level schema calls are not marked pure).
    entry: ['src/**/*.ts'],
    bundle: false,
    format: ['esm'],
    dts: { entry: { index: 'src/index.ts' } },
    sourcemap: true,
    target: 'es2022',
  },
  {
    // CommonJS stays one file: per-module output would `require('./x.js')`, the ESM files.
    entry: ['src/index.ts'],
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
  },
]);
