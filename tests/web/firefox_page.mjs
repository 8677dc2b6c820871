// The technologist's page in Debian's Firefox ESR, headless, driven over WebDriver BiDi by
// puppeteer-core (playwright-core drives only its own patched Firefox). The same daemon set-up as
// review_page.mjs (tests/web/review_page_pgtest.cpp): a held Sysmex CBC waits; it is released
// (the whole specimen) from the keyboard; a CBC sent meanwhile by `hemalink simulate` arrives live; every page renders.
//
// Environment: as review_page.mjs, and HEMALINK_FIREFOX (default /usr/bin/firefox-esr).
import assert from 'node:assert/strict';
import path from 'node:path';
import {STEP_TIMEOUT, artifacts, oru, runInFirefox, sendToHemalink, tokens, url} from './web_lab.mjs';

let step = 'starting';
const log = (what) => console.log(`[firefox] ${what}`);

const text = (page, selector) => page.$eval(selector, (e) => e.textContent);

async function shot(page, name) {
  await page.screenshot({path: path.join(artifacts, `firefox-${name}.png`)});
  log(`screenshot firefox-${name}.png`);
}

async function run(browser) {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  await page.setViewport({width: 1280, height: 800});

  step = 'sign in as a technologist';
  await page.goto(url);
  await page.type('#token', tokens.technologist);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#nav:not([hidden])');
  await page.waitForFunction(() => document.querySelector('#live').textContent.includes('live'));
  assert.match(await text(page, '#who'), /tom \(technologist\)/);

  step = 'the held Sysmex CBC with its flags';
  await page.waitForSelector('article.card tr.result[data-code="PLT"]');
  assert.match(await text(page, 'article.card .instrument-flags'), /Blasts\/Abn_Lympho\?/);
  await shot(page, 'queue');

  step = 'a CBC arrives live';
  sendToHemalink(oru('S-FF-1', 'P-FF-1', 50));
  await page.waitForFunction(() => [...document.querySelectorAll('article.card h2')].some((h) => h.textContent.includes('S-FF-1')));
  assert.equal(await page.$$eval('article.card', (cards) => cards.length), 2);

  step = 'release the whole first specimen (WBC and PLT) from the keyboard';
  await page.keyboard.down('Shift');
  await page.keyboard.press('R');
  await page.keyboard.up('Shift');
  await page.waitForSelector('.confirm:not([hidden]) input[id^="comment-"]');
  assert.match(await text(page, '.confirm:not([hidden]) .what'), /Release every held result of specimen S-XN-1: WBC 11.20 10\*3\/uL, Platelets 80 10\*3\/uL/);
  assert.equal(await page.evaluate(() => document.activeElement.id.startsWith('comment-')), true);
  await page.keyboard.type('Released in Firefox');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.confirm .sure:not([hidden])');
  assert.match(await text(page, '.confirm .sure'), /releases 2 results of specimen S-XN-1: WBC 11.20 10\*3\/uL; Platelets 80 10\*3\/uL/,
    'a whole-specimen action names every result before it acts');
  assert.equal(await page.$$eval('article.card', (cards) => cards.length), 2, 'nothing released yet');
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

await runInFirefox(run, () => step);
