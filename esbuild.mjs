// Builds the VS Code extension with esbuild.
//   node esbuild.mjs               -> dist/extension.js (with source map)
//   node esbuild.mjs --production  -> dist/extension.js (minified, no source map; used by `vsce package`)
//   node esbuild.mjs --watch       -> rebuild dist/extension.js on change
//   node esbuild.mjs --tests       -> out/test/*.test.js for `node --test` (no `vscode` import allowed)
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  logLevel: 'warning',
};

if (tests) {
  const testDir = 'vscode-client/test';
  const entryPoints = readdirSync(testDir)
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => join(testDir, file));
  await esbuild.build({
    ...common,
    entryPoints,
    outdir: 'out/test',
    sourcemap: 'inline',
    // The tests must never load VS Code; the TextMate engine stays external so it finds its wasm file.
    external: ['vscode', 'vscode-textmate', 'vscode-oniguruma'],
  });
} else {
  const options = {
    ...common,
    entryPoints: ['vscode-client/src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
  };
  if (watch) {
    const context = await esbuild.context(options);
    await context.watch();
  } else {
    await esbuild.build(options);
  }
}
