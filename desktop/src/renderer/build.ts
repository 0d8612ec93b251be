/**
 * Builds the kiosk's screens into a folder: main.js + main.css (one esbuild bundle) and index.html. Runs at every
 * kiosk start, so it is one esbuild call (~100 ms), no type checking (`npm run typecheck` does that).
 *
 *   tsx desktop/src/renderer/build.ts <outdir> [--minify]
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function buildRenderer(outdir: string, opts: { minify?: boolean } = {}): Promise<void> {
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: { main: path.join(here, 'main.tsx') },
    outdir,
    bundle: true,
    // A classic script, not a module: Chromium refuses module scripts from file:// (Electron loads the file), and
    // an IIFE keeps the bundle's names out of the page's global scope.
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: opts.minify ?? false,
    sourcemap: opts.minify ? false : 'linked',
    legalComments: 'none',
    logLevel: 'silent',
  });
  await copyFile(path.join(here, 'index.html'), path.join(outdir, 'index.html'));
}

const runDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runDirectly) {
  const args = process.argv.slice(2);
  const outdir = args.find((a) => !a.startsWith('--'));
  if (!outdir) {
    console.error('usage: tsx desktop/src/renderer/build.ts <outdir> [--minify]');
    process.exit(2);
  }
  const t0 = performance.now();
  buildRenderer(path.resolve(outdir), { minify: args.includes('--minify') }).then(
    () => console.log(`renderer built in ${Math.round(performance.now() - t0)} ms → ${path.resolve(outdir)}`),
    (err: Error) => {
      console.error(`renderer build failed: ${err.message}`);
      process.exit(1);
    },
  );
}
