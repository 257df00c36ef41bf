// Issue 14, the page as an instructor and a citizen read it: parcel references in the search box,
// long answers readable on every screen (what forbids building first, repeated easements grouped,
// codes with their meaning), links that open, and an accessibility check with axe-core.
//
// axe-core comes from npm (devDependency of this folder) and is injected into the page by the test
// only: the page served to users does not load it.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ROOT, launchBrowser, mapSettled, newPage, panelReady, screenshotPath, startServer } from './harness.mjs';

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
      // While the id is being typed, its starts suggest other parcels of the section (AB 25…):
      // wait for the answer to the whole reference.
      await page.waitForFunction(() => /Parcelle AB 37 —/.test(document.querySelector('#search-list li')?.innerText || ''));
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

describe('readable long answers', () => {
  test('phone, Le Bourg-d\'Oisans: the red « inconstructible » zone is above the fold, said once', async () => {
    const { page, problems, context } = await open(PHONE);
    await openExample(page, 'bourg-doisans-pprn');
    // data/risk-pprn-38-covadis/38DDT20200002/N_ZONE_REG_PPRN_20200002_S_038.shp: the polygon
    // holding this point (reprojected to EPSG:2154 with pyproj, shapely contains) has codezone
    // « RA,T3 », nom « Inconstructible sauf exceptions - RA,T3 », typereg « 03 ».
    const forbids = page.locator('[data-testid=forbids]');
    assert.match(await forbids.innerText(), /Ce qui interdit de construire ici[\s\S]*Inconstructible sauf exceptions/);
    // Scroll the panel into view as a phone user does after the map, then check the box is in the
    // first screen of the panel (above the fold of the answer, before the « no data » warnings).
    await page.locator('[data-testid=place-title]').scrollIntoViewIfNeeded();
    const box = await forbids.boundingBox();
    const place = await page.locator('[data-testid=place-title]').boundingBox();
    assert.ok(box.y + box.height - place.y < 844, `the box ends ${Math.round(box.y + box.height - place.y)} px below the title`);
    const noPlanning = await page.locator('[data-testid=no-planning]').boundingBox();
    assert.ok(box.y < noPlanning.y, 'what forbids building comes before what is not loaded');
    await page.screenshot({ path: screenshotPath('phone-bourg-doisans.png') });
    // « Aucune donnée d'urbanisme » once: the alert, not the summary nor empty sections.
    const text = await page.locator('#panel-body').innerText();
    assert.equal((text.match(/Aucune donnée d'urbanisme/g) || []).length, 1, text);
    // The risk title gives the meaning first, the code second.
    assert.match(await page.locator('[data-section=risks] .item-title').first().innerText(), /^Inconstructible sauf exceptions — zone RA,T3/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('Ajaccio AC1: one grouped entry, one line per générateur, no internal ids in sight', async () => {
    const { page, problems, context } = await open(DESKTOP);
    await openExample(page, 'ajaccio-ac1');
    // data/sup-cnig-fixtures/172014607_AC1_2A_20180130: 15 AC1 assiettes meet this point, from 15
    // distinct IdGen — python3 with pyshp, shapely and pyproj: reproject (8.7367823, 41.9199043)
    // EPSG:4326 → EPSG:2154, count AC1_ASSIETTE_SUP_S.shp polygons containing it (15) and their
    // distinct IdGen (15). Maison Peraldi's act: AC1_MaisonPeraldi_19850906_act, arrêté ministériel.
    const groups = page.locator('[data-testid=servitude]');
    assert.equal(await groups.count(), 1);
    assert.match(await groups.first().locator('.item-title').innerText(), /^AC1 — Servitude relative aux monuments historiques.* — 15 assiettes$/);
    const lines = groups.first().locator('[data-testid=generateurs] > li');
    assert.equal(await lines.count(), 15);
    assert.match(await lines.allInnerTexts().then((t) => t.join('\n')), /Maison Peraldi \(monument\) · Arrêté ministériel du 6 septembre 1985/);
    const visible = await page.locator('#panel-body').innerText();
    assert.doesNotMatch(visible, /AC1-172014607-/, 'no assiette id outside « Détails techniques »');
    await page.locator('[data-testid=technical] summary').click();
    assert.match(await page.locator('[data-testid=technical]').innerText(), /AC1-172014607-00099067-213/);
    await page.screenshot({ path: screenshotPath('desktop-ajaccio-ac1-groupe.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('Arpaillargues: the document\'s ETAT code is shown with its meaning, no IDURBA in the text', async () => {
    const { page, problems, context } = await open(DESKTOP);
    await openExample(page, 'arpaillargues');
    // 30014_DOC_URBA_20171013.DBF: ETAT « 03 » = opposable (CNIG PLU 2017 list of values).
    const doc = await page.locator('[data-section=document]').innerText();
    assert.match(doc, /opposable \(état CNIG 03\)/);
    assert.doesNotMatch(doc, /30014_PLU_20171013/);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('screenshots and accessibility', () => {
  async function axe(page) {
    await page.addScriptTag({ path: AXE });
    return page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
    });
  }

  // The page's Content-Security-Policy forbids inline scripts: the test context bypasses it to inject axe.
  for (const [name, options] of [['desktop', { ...DESKTOP, bypassCSP: true }], ['phone', { ...PHONE, bypassCSP: true }]]) {
    test(`${name}: axe-core finds no serious or critical violation, on the page and with an answer`, async () => {
      const { page, problems, context } = await open(options);
      await mapSettled(page);
      await page.screenshot({ path: screenshotPath(`${name}-axe-accueil.png`) });
      const before = (await axe(page)).filter((v) => ['serious', 'critical'].includes(v.impact));
      assert.deepEqual(before, [], JSON.stringify(before, null, 1));
      for (const ex of ['arpaillargues', 'ajaccio-ac1']) {
        await page.goto(server.url + '/');
        await openExample(page, ex);
        await page.screenshot({ path: screenshotPath(`${name}-${ex}.png`), fullPage: name === 'desktop' });
        const after = (await axe(page)).filter((v) => ['serious', 'critical'].includes(v.impact));
        assert.deepEqual(after, [], `${ex}: ${JSON.stringify(after, null, 1)}`);
      }
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});

describe('the printed fiche links to the configured public address', () => {
  // A server with a configuration file naming `public_url` (docs/configuration.md), on the
  // embedded data and page; the harness starts servers without configuration, hence this one.
  let child;
  let url;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'urbaclic-public-url-'));
    const port = 20000 + Math.floor(Math.random() * 20000);
    writeFileSync(join(dir, 'urbaclic-server.toml'), 'public_url = "https://urbaclic.example.fr"\n');
    const bin = process.env.URBACLIC_BIN || join(ROOT, 'target/debug/urbaclic');
    const args = ['serve', '--listen', `127.0.0.1:${port}`, '--data', join(ROOT, 'data'),
      '--config', join(dir, 'urbaclic-server.toml'), '--frontend', process.env.URBACLIC_FRONTEND || join(dir, 'none')];
    child = spawn(bin, args, { cwd: dir, stdio: 'ignore' });
    url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 480; i++) {
      try {
        if ((await fetch(`${url}/health`)).ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('the server with public_url did not start');
  });
  after(() => child?.kill('SIGTERM'));

  test('the footer link is public_url with the permalink, not the loopback address', async () => {
    const { page, problems, context } = await newPage(browser, DESKTOP);
    await page.goto(`${url}/?parcelle=91216000AB0037`);
    await panelReady(page);
    await page.waitForFunction(() => /example\.fr/.test(document.getElementById('print-footer').textContent));
    const footer = await page.locator('#print-footer').textContent();
    assert.match(footer, /Lien : https:\/\/urbaclic\.example\.fr\/\?parcelle=91216000AB0037/);
    assert.doesNotMatch(footer, /127\.0\.0\.1/);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
