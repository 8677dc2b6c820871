// What both browser scripts share: the daemon's set-up from the environment that
// review_page_pgtest.cpp passes, and an analyzer (`hemalink simulate`) that sends a Mindray CBC.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {chromium} from 'playwright-core';
import puppeteer from 'puppeteer-core';

export const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
export const url = env('HEMALINK_URL');
export const artifacts = env('HEMALINK_ARTIFACTS');
export const tokens = {
  viewer: env('HEMALINK_TOKEN_VIEWER'),
  technologist: env('HEMALINK_TOKEN_TECHNOLOGIST'),
  technologist2: env('HEMALINK_TOKEN_TECHNOLOGIST_2'),
  admin: env('HEMALINK_TOKEN_ADMIN'),
};
export const STEP_TIMEOUT = 20000;
mkdirSync(artifacts, {recursive: true});

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// axe-core on the page as it is; serious and critical violations fail the run.
export async function accessible(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {resultTypes: ['violations']}));
  writeFileSync(path.join(artifacts, `axe-${name}.json`), JSON.stringify(result.violations, null, 2));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(bad.length, 0, `axe on ${name}: ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('; ')}`);
  console.log(`[web] axe ${name}: no serious or critical violation (${result.violations.length} minor)`);
}

export async function shot(page, name) {
  await page.screenshot({path: path.join(artifacts, `${name}.png`), fullPage: false});
  console.log(`[web] screenshot ${name}.png`);
}

// A small PNG (24x12, histogram-like bars), as an analyzer sends one in an ED OBX.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAABgAAAAMCAIAAAD3UuoiAAAAQklEQVR4nGP4TyXAgCmk4DCBSM3IKokyCJfROA2CSBBjEKZKAgbhNxqLQcgS+A3CpRKnQcQYjUwyEGMEMeSoQYRJALL+m/kMYNGHAAAAAElFTkSuQmCC';

// A Mindray BC CBC (HL7 ORU^R01 in MLLP), its PLT flagged low; with `image`, a WBC histogram.
export function oru(specimen, patient, plt, {image = false} = {}) {
  const stamp = '20261128101500';
  const lines = [
    `MSH|^~\\&|BC-6800^Mindray|LAB|hemalink|LAB|${stamp}||ORU^R01^ORU_R01|${specimen}|P|2.3.1`,
    `PID|1||${patient}^^^HOSP^MR||Doe^Jane||19720101|F`,
    `OBR|1||${specimen}|00001^Automated Count^99MRC|||${stamp}`,
    `OBX|1|NM|6690-2^WBC^LN||6.20|10*9/L|4.0-10.0|N|||F`,
    `OBX|2|NM|718-7^HGB^LN||13.4|g/dL|12.0-16.0|N|||F`,
    `OBX|3|NM|777-3^PLT^LN||${plt}|10*9/L|150-400|L|||F`,
  ];
  if (image) lines.push(`OBX|4|ED|15008^WBC Histogram. PNG^99MRC||^Image^PNG^Base64^${PNG}||||||F`);
  return `\x0b${lines.join('\r')}\r\x1c\r`;
}

// A simulated analyzer (`hemalink simulate`) sends one HL7 message over MLLP and waits for its
// ACK (AA).
export function sendToHemalink(message) {
  const file = path.join(artifacts, 'message.hl7');
  writeFileSync(file, message, 'latin1');
  const report = JSON.parse(execFileSync(env('HEMALINK_BINARY'), ['simulate', '--protocol', 'hl7',
    '--to', `127.0.0.1:${env('HEMALINK_ANALYZER_PORT')}`, '--file', file, '--timeout', '20', '--json'],
  {encoding: 'utf8', timeout: STEP_TIMEOUT + 5000}));
  assert.equal(report.acknowledged, 1, `the simulator's report: ${JSON.stringify(report)}`);
}

// Runs the mode the first argument names (one of `modes`, each an async function of the browser)
// in a headless Chromium; `where()` says the step a failure happened at. Exit code 0 when every
// step held, 1 with the step that did not, 2 for a mode it does not know.
export async function runInChromium(modes, where) {
  const mode = Object.hasOwn(modes, process.argv[2] ?? '') ? modes[process.argv[2]] : null;
  if (!mode) {
    console.error(`[web] unknown mode "${process.argv[2] ?? ''}": the modes are ${Object.keys(modes).join(', ')}`);
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: process.env.HEMALINK_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  try {
    await mode(browser);
  } catch (e) {
    console.error(`[web] FAILED at "${where()}": ${e.stack || e.message}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

// Runs `run` (an async function of the browser) in Debian's Firefox ESR, headless, driven over
// WebDriver BiDi by puppeteer-core (playwright-core drives only its own patched Firefox);
// `where()` says the step a failure happened at (exit code 1).
export async function runInFirefox(run, where) {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.HEMALINK_FIREFOX || '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: {'app.update.enabled': false, 'network.captive-portal-service.enabled': false},
  });
  try {
    await run(browser);
  } catch (e) {
    console.error(`[firefox] FAILED at "${where()}": ${e.stack || e.message}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

// An admin's call of the API from the test itself (not the page): the answer's status and body.
export async function adminCall(method, apiPath, body) {
  const response = await fetch(`${url}${apiPath}`, {method,
    headers: {Authorization: `Bearer ${tokens.admin}`, 'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body)});
  return {status: response.status, body: await response.json()};
}
