// Issue 15 §2: the API documentation page (/api/docs) renders the operations of /api/openapi.json
// with the Swagger UI embedded in the binary, and asks nothing of any other host.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, newPage, screenshotPath, startServer } from './harness.mjs';

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

test('/api/docs lists the operations of the document, offline', async () => {
  const { page, problems, context } = await newPage(browser, { viewport: { width: 1440, height: 900 } });
  const foreign = [];
  page.on('request', (req) => {
    if (!req.url().startsWith(server.url) && !req.url().startsWith('data:')) foreign.push(req.url());
  });
  const failed = [];
  page.on('response', (res) => {
    if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
  });
  await page.goto(`${server.url}/api/docs`);
  await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
  const doc = await (await fetch(`${server.url}/api/openapi.json`)).json();
  const documented = Object.values(doc.paths).flatMap((item) => Object.keys(item)).length;
  const shown = await page.locator('.opblock').count();
  assert.equal(shown, documented, `${shown} operations shown, ${documented} in the document`);
  // The title and one operation as Swagger UI writes them.
  await assert.doesNotReject(page.getByText('urbaclic', { exact: false }).first().waitFor());
  const lookup = page.locator('.opblock-get .opblock-summary-path[data-path="/api/lookup"]');
  assert.equal(await lookup.count(), 1);
  // Opening it shows its parameters.
  await lookup.click();
  await page.locator('.parameters tr[data-param-name="lat"]').waitFor({ timeout: 10_000 });
  await page.screenshot({ path: screenshotPath('api-docs.png') });
  assert.deepEqual(foreign, []);
  assert.deepEqual(failed, []);
  assert.deepEqual(problems, []);
  await context.close();
});
