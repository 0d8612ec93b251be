/**
 * Builds the kiosk's screens into a folder: main.js + main.css (one esbuild bundle) and index.html. Runs at every
 * kiosk start, so it is one esbuild call (~100 ms), no type checking (`npm run typecheck` does that).
 *
 * Minified by default, like the console: a kiosk on a cheap touchscreen PC parses every byte at each start. The
 * screens import only types from kiosk/api.ts and zod-free shared modules (`@tapline/shared/money-units`), so the
 * bundle is the screens and Preact; desktop/test/renderer-bundle.test.ts keeps zod out.
 *
 *   tsx desktop/src/renderer/build.ts <outdir> [--no-minify]
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Returns esbuild's metafile: what went into the bundle, byte by byte. */
export async function buildRenderer(outdir: string, opts: { minify?: boolean } = {}): Promise<Metafile> {
  const minify = opts.minify ?? true;
  await mkdir(outdir, { recursive: true });
  const result = await build({
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
    minify,
    sourcemap: minify ? false : 'linked',
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
  });
  await copyFile(path.join(here, 'index.html'), path.join(outdir, 'index.html'));
  return result.metafile;
}

const runDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runDirectly) {
  const args = process.argv.slice(2);
  const outdir = args.find((a) => !a.startsWith('--'));
  if (!outdir) {
    console.error('usage: tsx desktop/src/renderer/build.ts <outdir> [--no-minify]');
    process.exit(2);
  }
  const t0 = performance.now();
  buildRenderer(path.resolve(outdir), { minify: !args.includes('--no-minify') }).then(
    () => console.log(`renderer built in ${Math.round(performance.now() - t0)} ms → ${path.resolve(outdir)}`),
    (err: Error) => {
      console.error(`renderer build failed: ${err.message}`);
      process.exit(1);
    },
  );
}
