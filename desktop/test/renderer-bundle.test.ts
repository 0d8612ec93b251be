import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { buildRenderer } from '../src/renderer/build.ts';
import { tempDir } from './helpers/temp.ts';

/*
 * The kiosk's screens once shipped ~450 KB of zod (of a 540 KB bundle) because they imported money helpers from a
 * module that also held zod schemas. The screens need no zod: api.ts is imported for its types only, money from the
 * zod-free `@tapline/shared/money-units`. This keeps it so, with the options the kiosk really builds with.
 */

const rendererDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/renderer');

/** The npm packages esbuild took code from, by the inputs of every output file. */
function packagesIn(meta: Metafile): Set<string> {
  const names = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) names.add(m[1]!);
  }
  return names;
}

describe('kiosk renderer bundle', () => {
  const tmp = tempDir();
  let meta: Metafile;
  let js: string;

  before(async () => {
    // No options: what the browser kiosk builds at every start.
    meta = await buildRenderer(tmp.dir);
    js = await readFile(path.join(tmp.dir, 'main.js'), 'utf8');
  });
  after(() => tmp.cleanup());

  it('carries no zod', () => {
    const packages = packagesIn(meta);
    assert.ok(packages.has('preact'), `the check reads package names from the inputs: ${[...packages].join(', ')}`);
    assert.ok(!packages.has('zod'), `zod is in the kiosk bundle; packages: ${[...packages].join(', ')}`);
    const shared = Object.keys(meta.inputs).filter((i) => i.includes('shared/src/'));
    assert.deepEqual(shared.map((i) => path.basename(i)), ['money-units.ts'], 'the screens take only zod-free modules from shared');
  });

  it('sees zod when a screen imports the schema-carrying money module (so the check above can fail)', async () => {
    const result = await build({
      stdin: { contents: "import { Currency } from '@tapline/shared/money'; console.log(Currency);", resolveDir: rendererDir, loader: 'ts' },
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      metafile: true,
      logLevel: 'silent',
    });
    assert.ok(packagesIn(result.metafile).has('zod'));
  });

  it('is minified by default', () => {
    // esbuild's unminified output indents every statement inside the IIFE; minified output has no such lines.
    assert.doesNotMatch(js, /\n {2}\S/);
    assert.doesNotMatch(js, /sourceMappingURL/);
  });
});
