// The technologist's page in Debian's Firefox ESR, headless, driven over WebDriver BiDi by
// puppeteer-core (playwright-core drives only its own patched Firefox). The same daemon set-up as
// review_page.mjs (tests/web/review_page_pgtest.cpp): a held Sysmex CBC waits; it is released
// (the whole specimen) from the keyboard; a CBC sent meanwhile by `hemalink simulate` arrives live; every page renders.
//
// Environment: as review_page.mjs, and HEMALINK_FIREFOX (default /usr/bin/firefox-esr).
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env('HEMALINK_URL');
const artifacts = env('HEMALINK_ARTIFACTS');
mkdirSync(artifacts, {recursive: true});
const TIMEOUT = 20000;
let step = 'starting';
const log = (what) => console.log(`[firefox] ${what}`);

function send(specimen, patient, plt) {
  const file = path.join(artifacts, 'firefox-message.hl7');
  writeFileSync(file, `\x0bMSH|^~\\&|BC-6800^Mindray|LAB|hemalink|LAB|20261128101500||ORU^R01^ORU_R01|${specimen}|P|2.3.1\r` +
    `PID|1||${patient}^^^HOSP^MR||Doe^Jane||19720101|F\rOBR|1||${specimen}|00001^Automated Count^99MRC|||20261128101500\r` +
    `OBX|1|NM|777-3^PLT^LN||${plt}|10*9/L|150-400|L|||F\r\x1c\r`, 'latin1');
  const report = JSON.parse(execFileSync(env('HEMALINK_BINARY'), ['simulate', '--protocol', 'hl7',
    '--to', `127.0.0.1:${env('HEMALINK_ANALYZER_PORT')}`, '--file', file, '--timeout', '20', '--json'],
  {encoding: 'utf8', timeout: TIMEOUT + 5000}));
  assert.equal(report.acknowledged, 1, JSON.stringify(report));
}

const text = (page, selector) => page.$eval(selector, (e) => e.textContent);

async function shot(page, name) {
  await page.screenshot({path: path.join(artifacts, `firefox-${name}.png`)});
  log(`screenshot firefox-${name}.png`);
}

async function run(browser) {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.setViewport({width: 1280, height: 800});

  step = 'sign in as a technologist';
  await page.goto(url);
  await page.type('#token', env('HEMALINK_TOKEN_TECHNOLOGIST'));
  await page.keyboard.press('Enter');
  await page.waitForSelector('#nav:not([hidden])');
  await page.waitForFunction(() => document.querySelector('#live').textContent.includes('live'));
  assert.match(await text(page, '#who'), /tom \(technologist\)/);

  step = 'the held Sysmex CBC with its flags';
  await page.waitForSelector('article.card tr.result[data-code="PLT"]');
  assert.match(await text(page, 'article.card .instrument-flags'), /Blasts\/Abn_Lympho\?/);
  await shot(page, 'queue');

  step = 'a CBC arrives live';
  send('S-FF-1', 'P-FF-1', 50);
  await page.waitForFunction(() => [...document.querySelectorAll('article.card h2')].some((h) => h.textContent.includes('S-FF-1')));
  assert.equal(await page.$$eval('article.card', (cards) => cards.length), 2);

  step = 'release the whole first specimen (WBC and PLT) from the keyboard';
  await page.keyboard.down('Shift');
  await page.keyboard.press('R');
  await page.keyboard.up('Shift');
  await page.waitForSelector('.confirm:not([hidden]) input[id^="comment-"]');
  assert.match(await text(page, '.confirm:not([hidden]) .what'), /Release WBC, PLT of specimen S-XN-1/);
  assert.equal(await page.evaluate(() => document.activeElement.id.startsWith('comment-')), true);
  await page.keyboard.type('Released in Firefox');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('article.card').length === 1);
  assert.match(await text(page, 'article.card h2'), /S-FF-1/);
  await shot(page, 'queue-after-release');

  step = 'every page renders';
  for (const [hash, heading] of [['#/specimens/S-XN-1', 'Specimen S-XN-1'], ['#/specimens', 'Specimens'],
    ['#/analyzers', 'Analyzers'], ['#/outbox', 'Outbox'], ['#/rules', 'Rules']]) {
    await page.goto(`${url}/${hash}`);
    await page.waitForFunction((h) => document.querySelector('.page-head h1')?.textContent === h, {}, heading);
    await shot(page, hash.replace(/[#/]+/g, '-').replace(/^-|-$/g, ''));
  }
  await page.goto(`${url}/#/specimens/S-XN-1`);
  await page.waitForSelector('table.history ol.decisions li.current');
  for (const code of ['WBC', 'PLT']) {
    const current = await page.$$eval('table.history tbody tr', (rows, c) => rows.find((r) => r.querySelector('th').textContent.startsWith(c))
      ?.querySelector('ol.decisions li.current')?.textContent, code);
    assert.match(current || '', /release by user:tom .*Released in Firefox/, code);
  }
  log('every step held');
}

const browser = await puppeteer.launch({
  browser: 'firefox',
  executablePath: process.env.HEMALINK_FIREFOX || '/usr/bin/firefox-esr',
  headless: true,
  extraPrefsFirefox: {'app.update.enabled': false, 'network.captive-portal-service.enabled': false},
});
try {
  await run(browser);
} catch (e) {
  console.error(`[firefox] FAILED at "${step}": ${e.stack || e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
