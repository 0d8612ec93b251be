import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { buildConsole, type ConsoleBundle } from '../src/console/build.ts';

/*
 * The console's screens once shipped ~450 KB of zod (of a 580 KB bundle) because they imported money helpers from a
 * module that also held zod schemas. The screens need no zod: money comes from the zod-free
 * `@tapline/shared/money-units`. This keeps it so, with the options the cloud really serves the console with.
 */

const consoleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/console');

/** The npm packages esbuild took code from. */
function packagesIn(meta: Metafile): Set<string> {
  const names = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) names.add(m[1]!);
  }
  return names;
}

describe('console bundle', () => {
  let bundle: ConsoleBundle;

  before(async () => {
    // No options: what serve.ts builds at the first visit.
    bundle = await buildConsole();
  });

  it('carries no zod', () => {
    const packages = packagesIn(bundle.metafile);
    assert.ok(packages.has('preact'), `the check reads package names from the inputs: ${[...packages].join(', ')}`);
    assert.ok(!packages.has('zod'), `zod is in the console bundle; packages: ${[...packages].join(', ')}`);
    const shared = Object.keys(bundle.metafile.inputs).filter((i) => i.includes('shared/src/'));
    assert.deepEqual(shared.map((i) => path.basename(i)), ['money-units.ts'], 'the screens take only zod-free modules from shared');
  });

  it('sees zod when a screen imports the schema-carrying money module (so the check above can fail)', async () => {
    const result = await build({
      stdin: { contents: "import { Currency } from '@tapline/shared/money'; console.log(Currency);", resolveDir: consoleDir, loader: 'ts' },
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
    const js = [...bundle.assets].find(([name]) => name.endsWith('.js'))?.[1].body.toString('utf8');
    assert.ok(js);
    // esbuild's unminified output indents every statement inside the IIFE; minified output has no such lines.
    assert.doesNotMatch(js, /\n {2}\S/);
  });
});
