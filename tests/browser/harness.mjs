// Test harness: starts the `urbaclic serve` binary on a free loopback port and Debian's headless
// Chromium through playwright-core (no browser download: the system executable is used).
//
// Environment: URBACLIC_BIN (default: target/debug/urbaclic, else target/release/urbaclic),
// CHROMIUM (default /usr/bin/chromium), URBACLIC_BASE_URL (test a server already running instead),
// URBACLIC_FRONTEND (serve the page from this folder instead of the binary: for editing the page
// without rebuilding).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHOTS = join(ROOT, 'target', 'screenshots');

function binary() {
  if (process.env.URBACLIC_BIN) return process.env.URBACLIC_BIN;
  for (const p of ['target/debug/urbaclic', 'target/release/urbaclic']) {
    if (existsSync(join(ROOT, p))) return join(ROOT, p);
  }
  throw new Error('urbaclic binary not found: run `cargo build` first, or set URBACLIC_BIN');
}

function freePort() {
  return new Promise((ok, ko) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', ko);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * Starts the service with the embedded data (or `data`, a folder relative to the repository) and
 * the embedded page. It runs from a fresh empty directory, and `--frontend` names a folder without
 * index.html, so the page served is the one compiled into the binary — what a user of the binary
 * gets. `args`: more arguments of `serve` (`['--config', file]`).
 */
export async function startServer({ data = 'data', args: extra = [] } = {}) {
  if (process.env.URBACLIC_BASE_URL && data === 'data' && !extra.length) return { url: process.env.URBACLIC_BASE_URL, stop: async () => {} };
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'urbaclic-e2e-'));
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--data', join(ROOT, data), '--frontend', process.env.URBACLIC_FRONTEND || join(cwd, 'no-frontend'), ...extra];
  const child = spawn(binary(), args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`urbaclic exited (${child.exitCode}):\n${log}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`urbaclic did not answer /health within 120 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    log: () => log,
    stop: () => new Promise((ok) => {
      if (child.exitCode !== null) return ok();
      child.once('exit', () => ok());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}

/** Debian's Chromium, headless, with the flags this sandbox needs (no network beyond loopback).
 *  Playwright gives it a fresh empty profile of its own. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A page that records console errors and uncaught exceptions. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`exception: ${err.message}`));
  page.on('requestfailed', (req) => {
    // Requests cancelled on purpose (a newer lookup or map move replaces an older one) are fine.
    const failure = req.failure();
    if (failure && !/ERR_ABORTED/.test(failure.errorText)) problems.push(`request failed: ${req.url()} ${failure.errorText}`);
  });
  return { context, page, problems };
}

export function screenshotPath(name) {
  mkdirSync(SHOTS, { recursive: true });
  return join(SHOTS, name);
}

/** Waits until the map has drawn its layers for the current view and no request is pending. */
export async function mapSettled(page) {
  await page.waitForFunction(() => {
    const m = document.getElementById('map');
    return m && m.dataset.layersLoaded && !m.hasAttribute('aria-busy');
  }, null, { timeout: 30_000 });
  await page.waitForTimeout(300);
}

/** Waits for the result panel to show a finished answer. */
export async function panelReady(page) {
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
}
