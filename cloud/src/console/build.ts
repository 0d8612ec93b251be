/**
 * Builds the console's single-page app in memory: one esbuild bundle (JS + CSS, content-hashed names) and the page
 * that loads it. Runs once at cloud start (~200 ms), no type checking (`npm run typecheck` does that).
 *
 * Minified by default: head office may open it on a phone. The screens import zod-free shared modules
 * (`@tapline/shared/money-units`) so the bundle is the screens and Preact; cloud/test/console-bundle.test.ts keeps
 * zod out.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface ConsoleAsset {
  contentType: string;
  body: Buffer;
}

export interface ConsoleBundle {
  /** By file name under /console/assets/. */
  assets: Map<string, ConsoleAsset>;
  indexHtml: string;
  /** What esbuild put into the bundle, byte by byte. */
  metafile: Metafile;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export async function buildConsole(opts: { minify?: boolean } = {}): Promise<ConsoleBundle> {
  const result = await build({
    entryPoints: { main: path.join(here, 'main.tsx') },
    outdir: '/console-assets',
    entryNames: '[name]-[hash]',
    write: false,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: opts.minify ?? true,
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
  });
  const assets = new Map<string, ConsoleAsset>();
  for (const file of result.outputFiles) {
    const name = path.basename(file.path);
    assets.set(name, { contentType: TYPES[path.extname(name)] ?? 'application/octet-stream', body: Buffer.from(file.contents) });
  }
  const js = [...assets.keys()].find((n) => n.endsWith('.js'));
  const css = [...assets.keys()].find((n) => n.endsWith('.css'));
  if (!js || !css) throw new Error('the console build made no JS or CSS');
  const indexHtml = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light" />
    <title>Tapline console</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/console/assets/${css}" />
    <script defer src="/console/assets/${js}"></script>
  </head>
  <body>
    <div id="app"></div>
  </body>
</html>
`;
  return { assets, indexHtml, metafile: result.metafile };
}
