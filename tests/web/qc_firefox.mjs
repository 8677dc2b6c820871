// The QC page's one decision for a failed run's held results in Debian's Firefox ESR (headless,
// puppeteer-core), after qc_page.mjs: the earlier failure's group (seven results, "QC accepted
// again"), two of its results checked and rejected from the keyboard with one comment, after a
// confirmation naming both; the group then holds five.
//
// Environment: as qc_page.mjs, and HEMALINK_FIREFOX (default /usr/bin/firefox-esr).
import assert from 'node:assert/strict';
import path from 'node:path';
import {STEP_TIMEOUT, artifacts, runInFirefox, tokens, url} from './web_lab.mjs';

let step = 'starting';
const GROUP = 'article.held-group[data-key^="xn-1/WBC/"]';
const focusedText = (page) => page.evaluate(() => document.activeElement.textContent || document.activeElement.value);

async function run(browser) {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  await page.setViewport({width: 1280, height: 1000});

  step = 'sign in as a technologist and open the QC page';
  await page.goto(url);
  await page.type('#token', tokens.technologist);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#nav:not([hidden])');
  await page.goto(`${url}/#/qc`);
  await page.waitForSelector(`${GROUP} .qc-state.accepted`);
  assert.match(await page.$eval(`${GROUP} h3`, (e) => e.textContent), /^Review the 7 results held by the failed run of WBC on xn-1$/);

  step = 'Select…: two results checked, reject chosen, one comment, from the keyboard';
  await page.focus(`${GROUP} .group-actions button:last-child`);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`${GROUP} .group-panel[role="dialog"] .picks`);
  await page.keyboard.press(' ');  // the first result has the focus
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press(' ');  // the third
  await page.keyboard.down('Shift');
  for (let i = 0; i < 3; ++i) await page.keyboard.press('Tab');
  await page.keyboard.up('Shift');
  assert.equal(await page.evaluate(() => document.activeElement.value), 'release', 'Shift-Tab back to the decision');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.$eval(`${GROUP} input[type="radio"]:checked`, (e) => e.value), 'reject');
  for (let i = 0; i < 8; ++i) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id.startsWith('group-comment-')), true, 'the comment, past the seven results');
  await page.keyboard.type('Checked in Firefox');
  await page.keyboard.press('Enter');

  step = 'the confirmation names both, and confirming rejects them together';
  await page.waitForSelector(`${GROUP} ul.touched`);
  assert.deepEqual(await page.$$eval(`${GROUP} ul.touched li`, (items) => items.map((i) => i.textContent)),
    ['S-QC-035 WBC', 'S-QC-037 WBC']);
  assert.equal(await focusedText(page), 'Confirm: reject 2 results');
  await page.screenshot({path: path.join(artifacts, 'firefox-qc-held-confirm.png')});
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.held-status')?.textContent === 'Rejected S-QC-035 WBC, S-QC-037 WBC.');
  await page.waitForFunction((g) => document.querySelector(`${g} h3`)?.textContent.startsWith('Review the 5 results'), {}, GROUP);
  await page.screenshot({path: path.join(artifacts, 'firefox-qc-held-done.png')});
  console.log('[firefox] every step held');
}

await runInFirefox(run, () => step);
