/**
 * Builds what the Electron shell loads, without needing the Electron binary:
 *   dist/electron/main.js     the main process (ESM; native and worker-thread packages stay in node_modules)
 *   dist/electron/preload.cjs the sandboxed preload (CommonJS, requires only `electron`)
 *   dist/renderer/            the kiosk screens (the same build the browser kiosk serves)
 *
 *   tsx desktop/src/electron/build.ts [--minify] [--outdir <dir>]
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { buildRenderer } from '../renderer/build.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
/** desktop/: the Electron app's root (electron-builder's `directories.app`). */
export const DESKTOP_ROOT = path.resolve(here, '..', '..');

/**
 * Packages the main bundle must load from node_modules at run time: native addons (rebuilt for Electron by
 * electron-builder, unpacked from the asar), Electron itself, and pino, whose pretty transport runs in a worker
 * thread that loads its files by path.
 */
export const MAIN_EXTERNALS = [
  'electron',
  'better-sqlite3',
  'nfc-pcsc',
  '@pokusew/pcsclite',
  'bonjour-service',
  'pino',
  'pino-pretty',
] as const;

/** ws's optional speed-ups: it requires them inside try/catch and works without them, as here. */
export const OPTIONAL_EXTERNALS = ['bufferutil', 'utf-8-validate'] as const;

// An ESM bundle has no require/__dirname, yet the CommonJS packages bundled into it use them.
const ESM_REQUIRE_SHIM = [
  "import { createRequire as __taplineCreateRequire } from 'node:module';",
  'const require = __taplineCreateRequire(import.meta.url);',
].join('\n');

export interface DesktopBuild {
  mainFile: string;
  preloadFile: string;
  rendererDir: string;
  /** What esbuild put into each bundle: the test checks that no native code went in. */
  mainMeta: Metafile;
  preloadMeta: Metafile;
}

export interface DesktopBuildOptions {
  /** Default desktop/dist: where Electron (app root desktop/) finds the files. */
  outdir?: string;
  minify?: boolean;
}

export async function buildDesktop(opts: DesktopBuildOptions = {}): Promise<DesktopBuild> {
  const outdir = path.resolve(opts.outdir ?? path.join(DESKTOP_ROOT, 'dist'));
  const electronDir = path.join(outdir, 'electron');
  const rendererDir = path.join(outdir, 'renderer');
  // Stale files from an older build would be packaged too.
  await Promise.all([rm(electronDir, { recursive: true, force: true }), rm(rendererDir, { recursive: true, force: true })]);

  const minify = opts.minify ?? false;
  const [main, preload] = await Promise.all([
    build({
      entryPoints: { main: path.join(here, 'app.main.ts') },
      outdir: electronDir,
      bundle: true,
      platform: 'node',
      // ESM: Electron runs an ESM main since 28, and the runtime reads its own location from import.meta.url.
      format: 'esm',
      target: 'node22',
      external: [...MAIN_EXTERNALS, ...OPTIONAL_EXTERNALS],
      banner: { js: ESM_REQUIRE_SHIM },
      plugins: [keepSourceLocations(electronDir)],
      minify,
      metafile: true,
      logLevel: 'warning',
    }),
    build({
      entryPoints: { preload: path.join(here, 'preload.ts') },
      outdir: electronDir,
      outExtension: { '.js': '.cjs' },
      bundle: true,
      // A sandboxed preload is a CommonJS script whose require() knows only a few modules: bundle all but electron.
      platform: 'node',
      format: 'cjs',
      target: 'es2022',
      external: ['electron'],
      minify,
      metafile: true,
      logLevel: 'warning',
    }),
    buildRenderer(rendererDir, { minify }),
  ]);

  return {
    mainFile: path.join(electronDir, 'main.js'),
    preloadFile: path.join(electronDir, 'preload.cjs'),
    rendererDir,
    mainMeta: main.metafile,
    preloadMeta: preload.metafile,
  };
}

/**
 * Bundling moves code: `import.meta.url` in desktop/src/runtime/db/open.ts would name dist/electron/main.js, and the
 * migrations folder it finds from there would be wrong. This rewrites `import.meta.url` in each desktop source file
 * to where that file sits relative to the bundle, so paths relative to a source file (`../../../drizzle`) keep
 * naming the same place under the app root, in the repo and inside the packaged app alike.
 */
function keepSourceLocations(bundleDir: string): Plugin {
  return {
    name: 'keep-source-locations',
    setup(b) {
      b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
        if (args.path.split(path.sep).includes('node_modules')) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta')) return undefined;
        const loader = args.path.endsWith('x') ? 'tsx' : 'ts';
        if (/import\.meta\.(dirname|filename)\b/.test(source)) {
          return { errors: [{ text: 'use import.meta.url (the bundle rewrites it to this file\'s place); import.meta.dirname/filename would name the bundle' }] };
        }
        if (!source.includes('import.meta.url')) return undefined;
        if (!args.path.startsWith(DESKTOP_ROOT + path.sep)) {
          return { errors: [{ text: 'import.meta.url outside desktop/ would point outside the packaged app' }] };
        }
        const relative = path.relative(bundleDir, args.path).split(path.sep).join('/');
        const located = `new URL(${JSON.stringify(relative)}, import.meta.url).href`;
        return { contents: source.replaceAll('import.meta.url', located), loader };
      });
    },
  };
}

const runDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runDirectly) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--outdir');
  const outdir = outIndex >= 0 ? args[outIndex + 1] : undefined;
  const t0 = performance.now();
  buildDesktop({ outdir, minify: args.includes('--minify') }).then(
    (r) => {
      const shown = (p: string) => path.relative(process.cwd(), p) || '.';
      console.log(`desktop built in ${Math.round(performance.now() - t0)} ms`);
      console.log(`  main     ${shown(r.mainFile)}\n  preload  ${shown(r.preloadFile)}\n  renderer ${shown(r.rendererDir)}`);
    },
    (err: Error) => {
      console.error(`desktop build failed: ${err.message}`);
      process.exit(1);
    },
  );
}
