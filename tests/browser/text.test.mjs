// Issue 14, the page as an instructor and a citizen read it: parcel references in the search box,
// long answers readable on every screen (what forbids building first, repeated easements grouped,
// codes with their meaning), links that open, and an accessibility check with axe-core.
//
// axe-core comes from npm (devDependency of this folder) and is injected into the page by the test
// only: the page served to users does not load it.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, mapSettled, newPage, panelReady, screenshotPath, startServer } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

const DESKTOP = { viewport: { width: 1440, height: 900 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(options, path = '/') {
  const ctx = await newPage(browser, options);
  await ctx.page.goto(server.url + path);
  return ctx;
}

async function placeParcel(page) {
  return page.locator('[data-testid=place-title]').getAttribute('data-parcel');
}

async function openExample(page, id) {
  await page.locator(`#panel button[data-example=${id}]`).click();
  await panelReady(page);
  await mapSettled(page);
}

describe('parcel references in the search box', () => {
  // Ids and names from the source files (see tests/parcel_search.rs for the python commands):
  // 91216000AB0037 is in data/cadastre-etalab-91216, commune 91216 « Épinay-sur-Orge ».
  for (const typed of ['91216000AB0037', '91216 AB 37', 'AB 37 Épinay']) {
    test(`« ${typed} » suggests parcel AB 37 of Épinay-sur-Orge, and choosing it shows that parcel`, async () => {
      const { page, problems, context } = await open(DESKTOP);
      const input = page.locator('#search-input');
      await input.click();
      await input.pressSequentially(typed, { delay: 20 });
      const first = page.locator('#search-list li[role=option]').first();
      await first.waitFor({ state: 'visible' });
      assert.match(await first.innerText(), /Parcelle AB 37 — Épinay-sur-Orge/);
      assert.match(await first.innerText(), /91216 000 AB 0037/);
      await input.press('Enter');
      await panelReady(page);
      assert.equal(await placeParcel(page), '91216000AB0037');
      assert.match(await page.locator('#panel-body').innerText(), /Section AB, n° 0?37/);
      if (typed === '91216000AB0037') {
        await mapSettled(page);
        await page.screenshot({ path: screenshotPath('desktop-recherche-parcelle.png') });
      }
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  test('a Paris id and an address still work side by side', async () => {
    const { page, problems, context } = await open(DESKTOP);
    const input = page.locator('#search-input');
    await input.fill('75118000BT0107');
    const first = page.locator('#search-list li[role=option]').first();
    await first.waitFor({ state: 'visible' });
    assert.match(await first.innerText(), /Parcelle BT 107 — Paris 18e Arrondissement/);
    await input.fill('40 boulevard barbes');
    await page.waitForFunction(() => /Barbès/.test(document.querySelector('#search-list li')?.innerText || ''));
    assert.doesNotMatch(await page.locator('#search-list').innerText(), /Parcelle/);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
