// End-to-end tests of the map itself (issue 14): the offline basemap drawn from the data (commune
// fills, parcel numbers), "hors du territoire chargé" outside the loaded data, configured raster
// basemaps served by a stand-in tile server on loopback (never the internet), and drawing,
// measuring, analysing and permalinking a project footprint. Screenshots at 1440×900 and 390×844
// land in target/screenshots/map-*.png.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, mapSettled, newPage, panelReady, screenshotPath, startServer } from './harness.mjs';

const DESKTOP = { viewport: { width: 1440, height: 900 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

// A 30 m × 30 m square in Arpaillargues (30014) across the Ucp/Uc boundary, drawn in Lambert-93
// (x 809855–809885, y 6323250–6323280) over the staged delivery
// /work/shared/data/plu-cnig-30014-arpaillargues/30014_PLU_20171013/Donnees_geographiques/30014_ZONE_URBA_20171013.shp:
//   python3 -c "import shapefile; from shapely.geometry import shape, box
//   r = shapefile.Reader('…/30014_ZONE_URBA_20171013.shp'); sq = box(809855, 6323250, 809885, 6323280)
//   print([(s.record['LIBELLE'], round(100*shape(s.shape.__geo_interface__).intersection(sq).area/sq.area, 2))
//          for s in r.shapeRecords() if shape(s.shape.__geo_interface__).intersects(sq)])"
//   → [('Ucp', 57.0), ('Uc', 43.0)]
// Its corners in WGS84:
//   printf "809855 6323250\n809885 6323250\n809885 6323280\n809855 6323280\n809870 6323265\n" \
//     | gdaltransform -s_srs EPSG:2154 -t_srs EPSG:4326 -output_xy
const SQUARE = [
  [4.36971823961114, 43.9996763605852],
  [4.37009221713939, 43.9996716766887],
  [4.37009870677337, 43.9999416332684],
  [4.36972472747444, 43.9999463171878],
];
const SQUARE_CENTRE = { lon: 4.36990847274959, lat: 43.9998089970872 };
const SQUARE_SHARES = { Ucp: 57.0, Uc: 43.0 };
// Its area on the ellipsoid, in an equal-area projection centred on it (a cylindrical equal-area
// one gives the same to 1e-6 m²):
//   printf "<the four corners above>" | gdaltransform -s_srs EPSG:4326 \
//     -t_srs "+proj=laea +lat_0=44 +lon_0=4.37 +ellps=GRS80" -output_xy \
//     | python3 -c "import sys; from shapely.geometry import Polygon; print(Polygon([tuple(map(float,l.split())) for l in sys.stdin]).area)"
//   → 899.9997428977082
const SQUARE_AREA_M2 = 899.9997428977082;
// A 1 km-wide rectangle in Paris (2.3–2.314 E, 48.88–48.889 N), same command with
// "+proj=laea +lat_0=48.885 +lon_0=2.307 +ellps=GRS80" → 1027662.419364047 m².
const PARIS_RECT = [[2.3, 48.88], [2.314, 48.88], [2.314, 48.889], [2.3, 48.889]];
const PARIS_RECT_M2 = 1027662.419364047;

// The sea off Cornwall (Land's End is at 50.07 N, 5.71 W): no data of the embedded set is there.
const SEA = { lat: 50.0, lon: -5.8 };

// Staged data (data/cadastre-etalab-75118): parcel 75118 000 BT 0107 (40 boulevard Barbès, see
// e2e.test.mjs), numero "107" in the Etalab file; the point is where `urbaclic lookup --parcel
// 75118000BT0107 --json` answers it ("lat": 48.8867988, "lon": 2.3498458…).
const BARBES = { lat: 48.8867988, lon: 2.3498458 };

// A 1×1 PNG (one grey pixel): what the stand-in tile server answers for every tile.
const TILE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Web Mercator pixel of (lat, lon) at zoom z (the slippy-map formula, independent of Leaflet). */
function mercator(lat, lon, z) {
  const size = 256 * 2 ** z;
  const sin = Math.sin((lat * Math.PI) / 180);
  return {
    x: ((lon + 180) / 360) * size,
    y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * size,
  };
}

/** Page coordinates of (lat, lon) on a map centred on `centre` at zoom z. */
async function pagePoint(page, centre, z, [lon, lat]) {
  const box = await page.locator('#map').boundingBox();
  const c = mercator(centre.lat, centre.lon, z);
  const p = mercator(lat, lon, z);
  return { x: box.x + box.width / 2 + (p.x - c.x), y: box.y + box.height / 2 + (p.y - c.y) };
}

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

/** Opens `path` and records every request that leaves the service's origin. */
async function open(options, path, origin = server.url) {
  const ctx = await newPage(browser, options);
  ctx.foreign = [];
  ctx.page.on('request', (req) => {
    if (!req.url().startsWith(origin) && !req.url().startsWith('data:')) ctx.foreign.push(req.url());
  });
  await ctx.page.goto(origin + path);
  return ctx;
}

describe('map: offline basemap and outside the territory', () => {
  test('no basemap by default: no request leaves the service, no layer control, communes filled', async () => {
    const { page, problems, foreign, context } = await open(DESKTOP, `/?lat=${SQUARE_CENTRE.lat}&lon=${SQUARE_CENTRE.lon}&z=13`);
    await panelReady(page);
    await mapSettled(page);
    assert.equal(await page.locator('.leaflet-control-layers').count(), 0, 'nothing to switch: no layer control');
    assert.equal(await page.locator('.leaflet-tile-pane img').count(), 0);
    // Arpaillargues' outline is drawn filled (paper white over the grey outside).
    const fills = await page.locator('.leaflet-layer-communes-pane path, [class*=layer-communes] path')
      .evaluateAll((ps) => ps.map((p) => p.getAttribute('fill')));
    assert.ok(fills.length > 0 && fills.every((f) => f === '#fdfdfb'), `commune fills: ${fills}`);
    // Its name is written on it (`nom` of data/communes-france-geojson/communes-30-gard.geojson).
    assert.equal(await page.locator('.commune-label-icon span[data-insee="30014"]').innerText(), 'Arpaillargues-et-Aureillac');
    assert.deepEqual(foreign, [], 'offline: every request goes to the service');
    await page.screenshot({ path: screenshotPath('map-desktop-hors-ligne.png') });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('parcels write their numbers from zoom 18, not below', async () => {
    const { page, problems, context } = await open(DESKTOP, `/?lat=${BARBES.lat}&lon=${BARBES.lon}&z=18`);
    await panelReady(page);
    await mapSettled(page);
    const bt107 = page.locator('.parcel-label-icon span[data-parcel="75118000BT0107"]');
    assert.equal(await bt107.count(), 1);
    assert.equal(await bt107.innerText(), '107');
    assert.ok(await page.locator('.parcel-label-icon').count() > 20);
    await page.screenshot({ path: screenshotPath('map-desktop-numeros-parcelles.png') });
    await page.locator('.leaflet-control-zoom-out').click();
    await page.waitForFunction(() => !document.querySelector('.parcel-label-icon'));
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a click in the sea off Cornwall says « hors du territoire chargé », not a fiche', async () => {
    const { page, problems, context } = await open(DESKTOP, '/');
    await mapSettled(page);
    // What the service answers there: nothing loaded covers the point.
    const answer = await (await fetch(`${server.url}/api/lookup?lat=${SEA.lat}&lon=${SEA.lon}`)).json();
    assert.equal(answer.commune, null);
    assert.deepEqual(
      ['commune', 'cadastre', 'planning', 'servitudes', 'risks'].map((k) => answer.coverage[k]),
      [false, false, false, false, false],
    );
    // Centre the map there through the permalink, then click beside the centre (still sea).
    await page.goto(`${server.url}/?lat=${SEA.lat}&lon=${SEA.lon}&z=9`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    await page.locator('[data-testid=outside]').waitFor();
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + box.width / 2 + 60, box.y + box.height / 2 + 40);
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    const panel = await page.locator('#panel-body').innerText();
    assert.match(panel, /Hors du territoire chargé/);
    assert.doesNotMatch(panel, /Zonage|Servitudes/, 'no fiche sections');
    await page.screenshot({ path: screenshotPath('map-desktop-hors-territoire.png') });
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('map: configured basemaps from a stand-in tile server', () => {
  let tiles;
  let tileUrl;
  let configured;
  const requested = [];

  before(async () => {
    tiles = createServer((req, res) => {
      requested.push(req.url);
      res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' });
      res.end(TILE);
    });
    await new Promise((ok) => tiles.listen(0, '127.0.0.1', ok));
    tileUrl = `http://127.0.0.1:${tiles.address().port}`;
    const dir = mkdtempSync(join(tmpdir(), 'urbaclic-fonds-'));
    const config = join(dir, 'urbaclic-serve.toml');
    writeFileSync(config, `
[[basemap]]
name = "Plan de test"
url = "${tileUrl}/plan/{z}/{x}/{y}.png"
attribution = "© Plan de test (serveur local)"
max_zoom = 18

[[basemap]]
name = "Ortho de test"
url = "${tileUrl}/wmts?LAYER=ORTHO&TILEMATRIXSET=PM&TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}"
attribution = "© Ortho de test <script>"
`);
    configured = await startServer({ args: ['--config', config] });
  });

  after(async () => {
    await configured?.stop();
    await new Promise((ok) => tiles?.close(ok));
  });

  test('the catalogue publishes them; the first is drawn with its attribution; switching works', async () => {
    const catalog = await (await fetch(`${configured.url}/api/catalog`)).json();
    assert.deepEqual(catalog.basemaps.map((b) => [b.name, b.max_zoom]), [['Plan de test', 18], ['Ortho de test', 19]]);
    assert.equal(catalog.basemaps[1].url, `${tileUrl}/wmts?LAYER=ORTHO&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}`);

    const z = 17;
    const { page, problems, context } = await open(DESKTOP, `/?lat=${SQUARE_CENTRE.lat}&lon=${SQUARE_CENTRE.lon}&z=${z}`, configured.url);
    await panelReady(page);
    await mapSettled(page);
    // The tile under the centre, by the slippy-map formula.
    const c = mercator(SQUARE_CENTRE.lat, SQUARE_CENTRE.lon, z);
    const [tx, ty] = [Math.floor(c.x / 256), Math.floor(c.y / 256)];
    await page.waitForFunction((n) => document.querySelectorAll('.leaflet-tile-loaded').length >= n, 4);
    assert.ok(requested.includes(`/plan/${z}/${tx}/${ty}.png`), `tile ${z}/${tx}/${ty} asked for: ${requested}`);
    const attribution = page.locator('.leaflet-control-attribution');
    assert.match(await attribution.innerText(), /© Plan de test \(serveur local\)/);
    // Over a basemap, commune outlines are not filled (they would hide it).
    const fills = await page.locator('[class*=layer-communes] path').evaluateAll((ps) => ps.map((p) => p.getAttribute('fill')));
    assert.ok(fills.every((f) => f === 'none'), `commune fills over a basemap: ${fills}`);

    const control = page.locator('.leaflet-control-layers');
    assert.deepEqual(
      (await control.locator('label').allInnerTexts()).map((t) => t.trim()),
      ['Sans fond de carte (données seules)', 'Plan de test', 'Ortho de test'],
    );
    await page.screenshot({ path: screenshotPath('map-desktop-fond-configure.png') });

    requested.length = 0;
    await control.locator('label', { hasText: 'Ortho de test' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('.leaflet-tile')].some((t) => t.src.includes('/wmts?')));
    assert.ok(requested.includes(`/wmts?LAYER=ORTHO&TILEMATRIXSET=PM&TILEMATRIX=${z}&TILEROW=${ty}&TILECOL=${tx}`), String(requested));
    // The attribution is text: the configured "<script>" is shown, not run.
    assert.match(await attribution.innerText(), /© Ortho de test <script>/);
    assert.doesNotMatch(await attribution.innerText(), /Plan de test/);

    await control.locator('label', { hasText: 'Sans fond' }).click();
    await page.waitForFunction(() => !document.querySelector('.leaflet-tile'));
    assert.doesNotMatch(await attribution.innerText(), /de test/);
    // The choice is remembered in this browser.
    await page.reload();
    await mapSettled(page);
    assert.equal(await page.locator('.leaflet-tile').count(), 0);
    assert.ok(await control.locator('input:checked + span', { hasText: 'Sans fond' }).count() === 1);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('?fond= adds a basemap of the visitor\'s own, remembered until ?fond=aucun', async () => {
    const template = encodeURIComponent(`${tileUrl}/perso/{z}/{x}/{y}.png`);
    const { page, problems, context } = await open(DESKTOP, `/?fond=${template}&lat=${BARBES.lat}&lon=${BARBES.lon}&z=17`);
    await panelReady(page);
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-tile-loaded').length > 0);
    assert.ok(requested.some((u) => u.startsWith('/perso/17/')), String(requested));
    const labels = () => page.locator('.leaflet-control-layers label').allInnerTexts();
    assert.deepEqual((await labels()).map((t) => t.trim()), ['Sans fond de carte (données seules)', 'Fond donné dans l\'adresse']);
    await page.goto(`${server.url}/?lat=${BARBES.lat}&lon=${BARBES.lon}&z=17`);
    await panelReady(page);
    assert.equal((await labels()).length, 2, 'remembered by the browser');
    await page.goto(`${server.url}/?fond=aucun&lat=${BARBES.lat}&lon=${BARBES.lon}&z=17`);
    await panelReady(page);
    await mapSettled(page);
    assert.equal(await page.locator('.leaflet-control-layers').count(), 0);
    assert.equal(await page.locator('.leaflet-tile').count(), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('on a phone the layer control is folded and the basemap still shows', async () => {
    const { page, problems, context } = await open(PHONE, `/?lat=${BARBES.lat}&lon=${BARBES.lon}&z=17`, configured.url);
    await panelReady(page);
    await mapSettled(page);
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-tile-loaded').length > 0);
    assert.equal(await page.locator('.leaflet-control-layers-expanded').count(), 0);
    await page.screenshot({ path: screenshotPath('map-phone-fond-configure.png') });
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('map: drawing a project', () => {
  test('the page measures areas like an equal-area projection does', async () => {
    const { page, context } = await open(DESKTOP, '/');
    const areas = await page.evaluate(async ([a, b]) => {
      const { geodesicArea } = await import('./js/draw.js');
      return [geodesicArea(a), geodesicArea(b)];
    }, [SQUARE, PARIS_RECT]);
    assert.ok(Math.abs(areas[0] - SQUARE_AREA_M2) < 0.01, `square: ${areas[0]}`);
    assert.ok(Math.abs(areas[1] - PARIS_RECT_M2) < 1, `Paris rectangle: ${areas[1]}`);
    await context.close();
  });

  test('a 30 m square drawn in Arpaillargues: area, zone shares, edit, permalink', async () => {
    const z = 19;
    const { page, problems, context } = await open(DESKTOP, `/?lat=${SQUARE_CENTRE.lat}&lon=${SQUARE_CENTRE.lon}&z=${z}`);
    await panelReady(page);
    await mapSettled(page);
    await page.locator('[data-testid=draw-start]').click();
    for (const corner of SQUARE) {
      const p = await pagePoint(page, SQUARE_CENTRE, z, corner);
      await page.mouse.click(p.x, p.y);
    }
    const areaText = await page.locator('[data-testid=draw-area]').innerText();
    const drawn = Number(areaText.replace(/[^\d]/g, ''));
    // Clicks land on whole pixels (0.2 m here): within 1 % of the square's area.
    assert.ok(Math.abs(drawn - SQUARE_AREA_M2) < 9, areaText);
    await page.screenshot({ path: screenshotPath('map-desktop-dessin-en-cours.png') });
    // A click on the first vertex closes the polygon and analyses it.
    const first = await pagePoint(page, SQUARE_CENTRE, z, SQUARE[0]);
    await page.mouse.click(first.x, first.y);
    await panelReady(page);

    const zones = await page.locator('[data-testid=zone]').evaluateAll((items) => items.map((it) => [
      it.querySelector('.zone-badge').textContent,
      Number((/(\d+(?:,\d+)?)\s*%/.exec(it.textContent) || [])[1]?.replace(',', '.')),
    ]));
    assert.deepEqual(zones.map(([code]) => code).sort(), Object.keys(SQUARE_SHARES).sort());
    for (const [code, share] of zones) assert.ok(Math.abs(share - SQUARE_SHARES[code]) <= 1.5, `${code}: ${share} %`);
    // Shares of the drawn project, not of a parcel.
    const zoneText = await page.locator('[data-testid=zone]').first().innerText();
    assert.match(zoneText, /% du projet/);
    assert.doesNotMatch(zoneText, /de la parcelle/);
    assert.equal(await page.locator('.place-kicker').textContent(), 'Emprise du projet');
    // The service's own measure of the footprint is shown next to the drawing's.
    const served = await page.locator('[data-testid=draw-served-area]').innerText();
    assert.match(served, /^Surface analysée par le service : \d[\d\s  ]* m²$/);
    assert.ok(Math.abs(Number(served.replace(/[^\d]/g, '')) - SQUARE_AREA_M2) < 9, served);
    assert.equal(await page.locator('img.leaflet-marker-icon').count(), 0, 'no point marker');
    await page.screenshot({ path: screenshotPath('map-desktop-projet-analyse.png') });

    // The permalink carries the polygon in its fragment; reloading it analyses the same footprint.
    const url = page.url();
    const ring = decodeURIComponent(/#emprise=(.*)$/.exec(url)[1]).split(';').map((p) => p.split(',').map(Number));
    assert.equal(ring.length, 4);
    ring.forEach(([lon, lat], i) => {
      assert.ok(Math.abs(lon - SQUARE[i][0]) < 5e-6 && Math.abs(lat - SQUARE[i][1]) < 5e-6, `vertex ${i}: ${lon},${lat}`);
    });
    const panelBefore = await page.locator('[data-testid=zone]').allInnerTexts();
    const again = await newPage(browser, DESKTOP);
    await again.page.goto(url);
    await panelReady(again.page);
    assert.deepEqual(await again.page.locator('[data-testid=zone]').allInnerTexts(), panelBefore);
    assert.equal(await again.page.locator('.draw-vertex').count(), 4, 'the footprint is drawn, editable');
    assert.deepEqual(again.problems, []);
    await again.context.close();

    // Editing: dragging the north-east vertex 60 px east enlarges the footprint, re-analysed.
    const ne = await pagePoint(page, SQUARE_CENTRE, z, SQUARE[2]);
    await page.mouse.move(ne.x, ne.y);
    await page.mouse.down();
    await page.mouse.move(ne.x + 30, ne.y, { steps: 3 });
    await page.mouse.move(ne.x + 60, ne.y, { steps: 3 });
    await page.mouse.up();
    await page.waitForFunction(() => document.body.dataset.state === 'ready'
      && /Surface analysée/.test(document.querySelector('[data-testid=draw-served-area]').textContent));
    const bigger = Number((await page.locator('[data-testid=draw-served-area]').innerText()).replace(/[^\d]/g, ''));
    // 60 px at zoom 19 and 44° N is 60 × 0.2149 m ≈ 12.9 m: a triangle of 30 × 12.9 / 2 ≈ 193 m² more.
    assert.ok(bigger > 1050 && bigger < 1150, `after the edit: ${bigger} m²`);
    assert.notEqual(page.url(), url, 'the permalink follows the edit');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the keyboard draws too (« Ajouter le centre »); Annuler leaves the point fiche; phone screenshot', async () => {
    const { page, problems, context } = await open(PHONE, `/?lat=${SQUARE_CENTRE.lat}&lon=${SQUARE_CENTRE.lon}&z=19`);
    await panelReady(page);
    await mapSettled(page);
    await page.locator('[data-testid=draw-start]').click();
    await page.locator('[data-testid=draw-centre]').click();
    assert.match(await page.locator('[data-testid=draw-area]').innerText(), /1 sommet placé/);
    assert.ok(await page.locator('[data-testid=draw-finish]').isDisabled());
    await page.screenshot({ path: screenshotPath('map-phone-dessin.png') });
    await page.locator('[data-testid=draw-cancel]').click();
    assert.ok(await page.locator('[data-testid=draw-start]').isVisible());
    assert.match(await page.locator('#panel-body').innerText(), /Ucp/);

    // A whole drawing by keyboard: the arrow keys pan the focused map (80 px a press), « Ajouter
    // le centre » adds the centre; three vertices and « Terminer » analyse the triangle.
    await page.locator('[data-testid=draw-start]').click();
    await page.locator('[data-testid=draw-centre]').press('Enter');
    for (const key of ['ArrowRight', 'ArrowDown']) {
      await page.locator('#map').focus();
      await page.keyboard.press(key);
      await page.waitForTimeout(400);
      await page.locator('[data-testid=draw-centre]').press('Enter');
    }
    assert.match(await page.locator('[data-testid=draw-area]').innerText(), /^Surface dessinée : \d+ m²$/);
    await page.locator('[data-testid=draw-finish]').press('Enter');
    await panelReady(page);
    assert.ok(await page.locator('[data-testid=zone]').count() >= 1);
    assert.match(await page.locator('[data-testid=draw-served-area]').innerText(), /Surface analysée par le service/);
    await page.screenshot({ path: screenshotPath('map-phone-projet-analyse.png') });
    assert.deepEqual(problems, []);
    await context.close();
  });
});
