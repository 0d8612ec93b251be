import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { appFilePath, appFileResponse } from '../src/electron/app-files.ts';
import { APP_START_URL, CONTENT_SECURITY_POLICY, isAppUrl } from '../src/electron/app-origin.ts';
import { shellTempDir } from './helpers/electron-shell.ts';

describe('electron shell: the app origin and its files', () => {
  it('treats only tapline://kiosk as the app', () => {
    assert.equal(isAppUrl(APP_START_URL), true);
    assert.equal(isAppUrl('tapline://kiosk/screens/x.js'), true);
    assert.equal(isAppUrl('tapline://other/index.html'), false);
    assert.equal(isAppUrl('file:///etc/passwd'), false);
    assert.equal(isAppUrl('https://kiosk/index.html'), false);
    assert.equal(isAppUrl('not a url'), false);
  });

  it('maps app URLs into the renderer folder and nowhere else', () => {
    const root = path.join(path.sep, 'app', 'renderer');
    assert.equal(appFilePath(root, 'tapline://kiosk/'), path.join(root, 'index.html'));
    assert.equal(appFilePath(root, 'tapline://kiosk/main.js?v=1'), path.join(root, 'main.js'));
    assert.equal(appFilePath(root, 'tapline://kiosk/../../etc/passwd'), path.join(root, 'etc', 'passwd'));
    // URL parsing already folds dot segments, encoded or not, so these stay inside the folder...
    assert.equal(appFilePath(root, 'tapline://kiosk/%2e%2e/%2e%2e/etc/passwd'), path.join(root, 'etc', 'passwd'));
    // ...and a slash that only appears after decoding cannot climb out either.
    assert.equal(appFilePath(root, 'tapline://kiosk/..%2fsecret'), null);
    assert.equal(appFilePath(root, 'tapline://kiosk/a%00b'), null);
    assert.equal(appFilePath(root, 'tapline://other/index.html'), null);
    assert.equal(appFilePath(root, 'file:///app/renderer/index.html'), null);
  });

  it('serves a file with its type and the CSP header, and 404s the rest', async () => {
    const dir = await shellTempDir('appfiles');
    try {
      await writeFile(path.join(dir, 'index.html'), '<div id="app"></div>');
      await writeFile(path.join(path.dirname(dir), `${path.basename(dir)}-secret.txt`), 'no');
      const ok = await appFileResponse(dir, APP_START_URL);
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(ok.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
      assert.equal(await ok.text(), '<div id="app"></div>');
      const missing = await appFileResponse(dir, 'tapline://kiosk/nope.js');
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
      const outside = await appFileResponse(dir, `tapline://kiosk/%2e%2e/${path.basename(dir)}-secret.txt`);
      assert.equal(outside.status, 404);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(path.join(path.dirname(dir), `${path.basename(dir)}-secret.txt`), { force: true });
    }
  });

  it('gives the screens no network and no inline scripts', () => {
    assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/);
    assert.match(CONTENT_SECURITY_POLICY, /connect-src 'none'/);
    assert.match(CONTENT_SECURITY_POLICY, /object-src 'none'/);
  });
});
