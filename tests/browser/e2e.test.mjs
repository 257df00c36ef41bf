// End-to-end tests of the map page in headless Chromium, against the real binary and the embedded
// data. Run with `npm test` in this folder after `cargo build` (see docs/frontend.md); screenshots
// land in target/screenshots/ for a person to look at.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, mapSettled, newPage, panelReady, screenshotPath, startServer } from './harness.mjs';

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

// Staged data (data/ban-adresses-75118, data/cadastre-etalab-75118): the BAN point of
// "40 Boulevard Barbès" falls in parcel 75118 000 BT 0107, in former-quarry sector 1 (zoning
// theme `carrieres` of the manifest).
const ADDRESS_TYPED = '40 boulevard barbes';
const ADDRESS_LABEL = /40 Boulevard Barbès/;
const ADDRESS_PARCEL = '75118000BT0107';
// A point in the middle of boulevard Barbès: on the street, nearest parcel CH 181 at ~14 m.
const STREET = { lat: 48.8842, lon: 2.3495, nearest: '75118000CH0181' };

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

async function panelText(page) {
  return page.locator('#panel-body').innerText();
}

async function placeTitle(page) {
  return page.locator('[data-testid=place-title]').getAttribute('data-parcel');
}

describe('map page', () => {
  test('an address typed without accents → suggestion → parcel and rules; click elsewhere; permalink', async () => {
    const { page, problems, context } = await open(DESKTOP);
    await mapSettled(page);
    await page.screenshot({ path: screenshotPath('desktop-accueil.png') });

    const input = page.locator('#search-input');
    await input.click();
    await input.pressSequentially(ADDRESS_TYPED, { delay: 25 });
    const first = page.locator('#search-list li[role=option]').first();
    await first.waitFor({ state: 'visible' });
    assert.match(await first.innerText(), ADDRESS_LABEL);
    // Keyboard choice: ↓ highlights the first suggestion, Entrée picks it.
    await input.press('ArrowDown');
    assert.equal(await first.getAttribute('aria-selected'), 'true');
    await input.press('Enter');
    await panelReady(page);
    await mapSettled(page);

    assert.equal(await placeTitle(page), ADDRESS_PARCEL);
    const text = await panelText(page);
    assert.match(text, /75118 000 BT 0107/);
    assert.match(text, /Paris 18e/);
    const quarries = page.locator('[data-section=zoning-carrieres]');
    assert.match(await quarries.locator('h3').innerText(), /Anciennes carrières souterraines de Paris/);
    assert.match(await quarries.innerText(), /Secteur d'anciennes carrières n° 1/, 'the former-quarry sector is listed');
    assert.doesNotMatch(await page.locator('[data-section=risks]').innerText(), /carrières/i, 'quarries are no risk');
    assert.match(await page.locator('[data-testid=missing-data]').innerText(), /plans de prévention des risques/,
      'no risk plan is loaded in Paris: the risks were not checked');
    assert.match(text, /Aucune donnée d'urbanisme chargée ici/, 'missing planning data is said plainly');
    assert.ok(await page.locator('[data-testid=no-planning]').isVisible());
    assert.match(page.url(), /lat=48\.88\d+&lon=2\.34\d+/);
    await page.screenshot({ path: screenshotPath('desktop-adresse.png') });

    // Click somewhere else on the map: a new point, a new answer.
    const before = { url: page.url(), text };
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + box.width / 2 + 180, box.y + box.height / 2 - 140);
    await page.waitForFunction((u) => location.href !== u, before.url);
    await panelReady(page);
    const afterText = await panelText(page);
    assert.notEqual(afterText, before.text, 'the panel changed');
    assert.doesNotMatch(afterText, /40 Boulevard Barbès/, 'the address label is dropped for a clicked point');

    // Drag the marker: "ajuster la localisation" runs the lookup again where it is dropped.
    const beforeDrag = page.url();
    const pin = await page.locator('img.leaflet-marker-icon').boundingBox();
    await page.mouse.move(pin.x + pin.width / 2, pin.y + pin.height - 4);
    await page.mouse.down();
    for (let i = 1; i <= 6; i++) await page.mouse.move(pin.x + pin.width / 2 - 12 * i, pin.y + pin.height - 4 + 8 * i);
    await page.mouse.up();
    await page.waitForFunction((u) => location.href !== u, beforeDrag);
    await panelReady(page);

    // The permalink restores the same answer.
    const permalink = page.url();
    const shown = { parcel: await placeTitle(page), summary: await page.locator('[data-testid=summary]').innerText() };
    await page.goto(permalink);
    await panelReady(page);
    assert.equal(page.url(), permalink);
    assert.equal(await placeTitle(page), shown.parcel);
    assert.equal(await page.locator('[data-testid=summary]').innerText(), shown.summary);

    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the legend lists the layers of /api/catalog; the carrieres switch shows and hides its zones', async () => {
    const catalog = await (await fetch(`${server.url}/api/catalog`)).json();
    const { page, problems, context } = await open(DESKTOP, '/?lat=48.89303795&lon=2.331582873&z=17');
    await panelReady(page);
    await mapSettled(page);
    const legend = await page.locator('.legend label').allInnerTexts();
    assert.deepEqual(legend.map((t) => t.trim()), catalog.layers.map((l) => l.label), 'one switch per layer, in order');
    for (const l of catalog.layers) {
      assert.equal(await page.locator(`input[data-layer="${l.name}"]`).isChecked(), l.default_on, `${l.name} default`);
    }
    assert.ok(catalog.layers.some((l) => l.name === 'carrieres' && l.style === 'zoning'));

    const shapes = page.locator('.leaflet-layer-carrieres-pane path');
    assert.ok(await shapes.count() > 0, 'quarry sectors are drawn');
    // The point is in sector 1: hovering just below the marker names the zone.
    const box = await page.locator('#map').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 8);
    await page.locator('.leaflet-tooltip', { hasText: /Secteur d'anciennes carrières/ }).waitFor({ state: 'visible' });
    await page.screenshot({ path: screenshotPath('desktop-carrieres.png') });

    const toggle = async (on) => {
      const drawn = await page.locator('#map').getAttribute('data-layers-loaded');
      await page.locator('input[data-layer=carrieres]').setChecked(on);
      await page.waitForFunction((d) => document.getElementById('map').dataset.layersLoaded !== d, drawn);
      await mapSettled(page);
    };
    await toggle(false);
    assert.equal(await shapes.count(), 0, 'switched off, the sectors are gone');
    assert.ok(await page.locator('.leaflet-layer-parcels-pane path').count() > 0, 'the other layers stay');
    await toggle(true);
    assert.ok(await shapes.count() > 0, 'switched on again, they are back');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('without the layer catalogue the map says so, and lookups still work', async () => {
    const { page, context } = await newPage(browser, DESKTOP);
    await page.route('**/api/catalog', (route) => route.fulfill({
      status: 503, contentType: 'application/json', body: '{"error":"unavailable","message":"Service en maintenance"}',
    }));
    await page.goto(`${server.url}/?lat=${STREET.lat}&lon=${STREET.lon}&z=18`);
    const alert = page.locator('[data-testid=catalog-error]');
    await alert.waitFor({ state: 'visible' });
    assert.match(await alert.innerText(), /Couches de la carte indisponibles[\s\S]*Service en maintenance/);
    await panelReady(page);
    assert.match(await panelText(page), /75118 000 CH 0181/);
    await context.close();
  });

  test('"aucun résultat" when nothing matches; example pins on the overview map', async () => {
    const { page, problems, context } = await open(DESKTOP);
    await page.locator('#search-input').fill('zzqxw wvtk');
    const empty = page.locator('#search-list li.s-empty');
    await empty.waitFor({ state: 'visible' });
    assert.match(await empty.innerText(), /Aucun résultat/);
    await page.locator('#search-input').press('Escape');
    assert.equal(await page.locator('#search-list').isVisible(), false);

    // The overview map shows the example places as pins; the first is the Paris address.
    await mapSettled(page);
    await page.locator('.example-pin').first().click();
    await panelReady(page);
    assert.equal(await placeTitle(page), ADDRESS_PARCEL);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a point on the street offers the nearest parcel, which the permalink keeps', async () => {
    const { page, problems, context } = await open(DESKTOP, `/?lat=${STREET.lat}&lon=${STREET.lon}&z=18`);
    await panelReady(page);
    assert.equal(await placeTitle(page), null);
    const street = page.locator('[data-testid=on-street]');
    assert.match(await street.innerText(), /75118 000 CH 0181/);
    await page.locator('[data-testid=nearest-btn]').click();
    await page.waitForFunction(() => new URLSearchParams(location.search).get('parcelle'));
    await panelReady(page);
    assert.equal(await placeTitle(page), STREET.nearest);
    assert.match(page.url(), new RegExp(`parcelle=${STREET.nearest}`));
    await page.reload();
    await panelReady(page);
    assert.equal(await placeTitle(page), STREET.nearest);

    // Keyboard users move the marker with the arrow keys: a new lookup at the new point.
    const url = page.url();
    await page.locator('img.leaflet-marker-icon').focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowUp');
    await page.waitForFunction((u) => location.href !== u && !location.search.includes('parcelle='), url);
    await panelReady(page);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('example places: a parcel in a PLU zone, with its share', async () => {
    const { page, problems, context } = await open(DESKTOP);
    await page.locator('#panel button[data-example=rennes]').click();
    await panelReady(page);
    await mapSettled(page);
    assert.equal(await placeTitle(page), '35238000BW0565');
    const zone = page.locator('[data-testid=zone]').first();
    assert.match(await zone.innerText(), /UB2/);
    assert.match(await zone.innerText(), /100 %/);
    await page.screenshot({ path: screenshotPath('desktop-rennes-zone.png') });

    // The header menu reaches the same places: a PLU with its zones drawn and labelled.
    await page.locator('#btn-examples').click();
    await page.locator('#examples-menu button[data-example=arpaillargues]').click();
    await panelReady(page);
    await mapSettled(page);
    assert.match(await panelText(page), /Zone Ua|Ua/);
    assert.ok(await page.locator('.zone-label-icon').count() > 0, 'zone labels are drawn');
    await page.screenshot({ path: screenshotPath('desktop-arpaillargues-plu.png') });

    await page.locator('#btn-examples').click();
    await page.locator('#examples-menu button[data-example=bourg-doisans-pprn]').click();
    await panelReady(page);
    await mapSettled(page);
    assert.match(await panelText(page), /interdiction/i);
    assert.match(await panelText(page), /construire y est interdit/);
    await page.screenshot({ path: screenshotPath('desktop-pprn.png') });

    await page.locator('#btn-examples').click();
    await page.locator('#examples-menu button[data-example=ajaccio-ac1]').click();
    await panelReady(page);
    await mapSettled(page);
    assert.match(await panelText(page), /AC1/);
    // The easement's meaning (data/nomenclatures-cnig/sup_effets.csv, code du patrimoine L632-2):
    // the ABF must agree, and who to consult is named.
    const servitude = page.locator('[data-testid=servitude]').first();
    assert.match(await servitude.innerText(), /accord de l'Architecte des Bâtiments de France/);
    assert.match(await servitude.innerText(), /Consultation : Architecte des Bâtiments de France/);
    await page.screenshot({ path: screenshotPath('desktop-ajaccio-sup.png') });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the answer panel offers the draft certificat d\'urbanisme, as PDF and HTML', async () => {
    const { page, problems, context } = await open(DESKTOP, `/?parcelle=${ADDRESS_PARCEL}`);
    await panelReady(page);
    const pdf = page.locator('[data-testid=cua-pdf]');
    assert.equal(await pdf.innerText(), 'Projet de CU d\'information (PDF)');
    const html = page.locator('[data-testid=cua-html]');
    assert.equal(await html.innerText(), '(HTML)');
    const fetched = (href) => page.evaluate(async (h) => {
      const r = await fetch(h);
      const bytes = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, type: r.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)) };
    }, href);
    const pdfHref = await pdf.getAttribute('href');
    assert.equal(pdfHref, `api/cua?parcel=${ADDRESS_PARCEL}&format=pdf`);
    assert.deepEqual(await fetched(pdfHref), { status: 200, type: 'application/pdf', head: '%PDF-' });
    const page2 = await fetched(await html.getAttribute('href'));
    assert.equal(page2.status, 200);
    assert.equal(page2.type, 'text/html; charset=utf-8');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('phone layout and the printed fiche', async () => {
    const { page, problems, context } = await open(PHONE);
    await mapSettled(page);
    await page.screenshot({ path: screenshotPath('phone-accueil.png'), fullPage: true });
    const input = page.locator('#search-input');
    await input.tap();
    await input.pressSequentially(ADDRESS_TYPED, { delay: 25 });
    const first = page.locator('#search-list li[role=option]').first();
    await first.waitFor({ state: 'visible' });
    await page.screenshot({ path: screenshotPath('phone-suggestions.png') });
    await first.tap();
    await panelReady(page);
    await mapSettled(page);
    assert.equal(await placeTitle(page), ADDRESS_PARCEL);
    // No horizontal scrolling on a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    await page.screenshot({ path: screenshotPath('phone-adresse.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();

    // The printed fiche: one A4 page with the map, the summary, the sources and the date — also
    // for the longest answer of the staged data (fifteen overlapping easements in Ajaccio).
    for (const [name, lat, lon] of [['fiche', 48.0941417, -1.6757154], ['fiche-longue', 41.9199043, 8.7367823]]) {
      const desk = await open(DESKTOP, `/?lat=${lat}&lon=${lon}&z=17`);
      await panelReady(desk.page);
      await mapSettled(desk.page);
      const drawn = await desk.page.locator('#map').getAttribute('data-layers-loaded');
      // What the browser does on Ctrl+P or the button: beforeprint (the map takes its paper size), print.
      await desk.page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
      // The smaller map reloads its layers for its new view: wait for that before printing.
      await desk.page.waitForFunction((d) => document.getElementById('map').dataset.layersLoaded !== d, drawn);
      await mapSettled(desk.page);
      await desk.page.emulateMedia({ media: 'print' });
      if (name === 'fiche') await desk.page.screenshot({ path: screenshotPath('impression-ecran.png'), fullPage: true });
      const pdfPath = screenshotPath(`${name}.pdf`);
      await desk.page.pdf({ path: pdfPath, format: 'A4', printBackground: true });
      const pdf = readFileSync(pdfPath, 'latin1');
      const pages = (pdf.match(/\/Type\s*\/Page[^s]/g) || []).length;
      assert.equal(pages, 1, `${name}: the fiche prints on ${pages} pages`);
      const footer = await desk.page.locator('#print-footer').innerText();
      assert.match(footer, /générée le/);
      assert.deepEqual(desk.problems, []);
      await desk.context.close();
    }
  });
});

// A zone whose plan has a structured regulation: tests/fixtures/reglement-join/ joins the real
// regulation of Verderel-lès-Sauqueuse to a labelled-synthetic zone declared as its zone UB; the
// point is the middle of that square (tests/fixtures/zonage-sismique/zonage.geojson).
describe('key rules of a zone', () => {
  let joined;
  before(async () => {
    joined = await startServer({ data: 'tests/fixtures/reglement-join' });
  });
  after(async () => {
    await joined?.stop();
  });

  test('the panel shows the key rules with the sentences they were read from', async () => {
    const { page, problems, context } = await newPage(browser, DESKTOP);
    await page.goto(`${joined.url}/?lat=48.685&lon=2.288527&z=15`);
    await panelReady(page);
    const rules = page.locator('[data-testid=key-rules]');
    await rules.waitFor();
    const text = await rules.innerText();
    assert.match(text, /Hauteur maximale : 9 m au faîtage \(habitation\)/);
    assert.match(text, /Emprise au sol maximale : 40 % \(habitation, annexes\)/);
    assert.match(text, /Non trouvé dans le règlement : espaces verts/);
    await rules.locator('details').first().locator('summary').click();
    assert.match(await rules.locator('blockquote').first().innerText(), /limitée à 9 m au faîtage/);
    await page.screenshot({ path: screenshotPath('regles-cles.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });
});

// Keep the server log next to the screenshots: it is the first thing to read when a test fails.
after(() => {
  if (server && server.log) writeFileSync(screenshotPath('serveur.log'), server.log());
});
