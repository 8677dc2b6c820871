// The review queue through a shift, from the keyboard, in Chromium or Firefox ESR (puppeteer-core:
// CDP for Debian's chromium, WebDriver BiDi for its firefox-esr), against the daemon that
// tests/web/shift_page_pgtest.cpp started with ten held XN CBCs (S-SH-01..10, WBC and PLT held,
// HGB released) and a control run that must not be in the queue. Two technologists, tom and anna,
// signed in at once.
//
//   node shift_page.mjs chromium|firefox
//
// Checks: the action panel keeps the keyboard (Tab and Shift-Tab cycle inside it, Esc closes it
// from anywhere, one panel at a time); a whole-specimen action names every result and asks twice;
// a comment code expands; what anna decides shows on tom's screen at once, beside the card, tom's
// panel closed and his place kept; presence; back from a specimen to the same card; `?` where one
// is; `/` into the search field; axe-core. Exits 0 when every step held, 1 otherwise.
import assert from 'node:assert/strict';
import puppeteer from 'puppeteer-core';
import {STEP_TIMEOUT, accessible as webLabAccessible, shot as webLabShot, tokens, url} from './web_lab.mjs';

const which = process.argv[2] || 'chromium';
let step = 'starting';
const log = (what) => console.log(`[${which}] ${what}`);

async function signedIn(browser, token, width = 1400, height = 900) {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  await page.setViewport({width, height});
  page.on('pageerror', (e) => log(`the page threw during "${step}": ${e.message}`));
  await page.goto(url);
  await page.type('#token', token);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#nav:not([hidden])');
  await page.waitForFunction(() => document.querySelector('#live').textContent.includes('live'));
  await page.waitForSelector('[data-rendered="all"]');
  return page;
}

// web_lab.mjs's screenshot and axe check, named for this browser.
const shot = (page, name) => webLabShot(page, `${which}-shift-${name}`);
const accessible = (page, name) => webLabAccessible(page, `${which}-shift-${name}`);

async function press(page, key, times = 1) {
  for (let i = 0; i < times; i += 1) await page.keyboard.press(key);
}

async function shiftPress(page, key, times = 1) {
  await page.keyboard.down('Shift');
  for (let i = 0; i < times; i += 1) await page.keyboard.press(key);
  await page.keyboard.up('Shift');
}

// Where the focus is: inside the open panel, on a result row (its specimen and code), or elsewhere.
const focusIs = (page) => page.evaluate(() => {
  const e = document.activeElement;
  const row = e && e.closest('tr.result');
  return {
    inPanel: Boolean(e && e.closest('.confirm:not([hidden])')),
    row: row ? `${row.closest('article').querySelector('h2').textContent.replace(/^Specimen /, '')}/${row.dataset.code}` : null,
    tag: e ? e.tagName : null,
  };
});
const openPanels = (page) => page.$$eval('.confirm:not([hidden])', (panels) => panels.length);
const focusedRow = (page) => page.evaluate(() => {
  const row = document.querySelector('tr.result.focused');
  return row ? `${row.closest('article').querySelector('h2').textContent.replace(/^Specimen /, '')}/${row.dataset.code}` : null;
});
const cardOf = (id) => `article.card[data-specimen-id="${id}"]`;

async function run(browser) {
  step = 'controls are not in the patient queue';
  const tom = await signedIn(browser, tokens.technologist);
  const specimens = await tom.$$eval('article.card h2', (hs) => hs.map((h) => h.textContent.replace(/^Specimen /, '')));
  assert.deepEqual(specimens, Array.from({length: 10}, (_, i) => `S-SH-${String(i + 1).padStart(2, '0')}`),
    'the ten held CBCs, oldest first, and no control');
  assert.equal(await tom.$$eval('.badge.critical', (b) => b.length), 0, 'no CRITICAL badge on these');
  await shot(tom, 'queue');
  await accessible(tom, 'queue');

  step = 'the action panel keeps the keyboard: Tab and Shift-Tab cycle inside it';
  assert.equal(await focusedRow(tom), 'S-SH-01/WBC');
  await press(tom, 'r');
  await tom.waitForSelector('.confirm:not([hidden]) input[id^="comment-"]');
  for (let i = 0; i < 7; i += 1) {
    await press(tom, 'Tab');
    assert.equal((await focusIs(tom)).inPanel, true, `Tab ${i + 1} stays in the panel`);
  }
  for (let i = 0; i < 7; i += 1) {
    await shiftPress(tom, 'Tab');
    assert.equal((await focusIs(tom)).inPanel, true, `Shift-Tab ${i + 1} stays in the panel`);
  }
  assert.equal((await focusIs(tom)).tag, 'INPUT', 'seven each way: back on the comment');
  await press(tom, 'Enter');
  assert.match(await tom.$eval('.confirm:not([hidden]) .error', (e) => e.textContent), /A comment is required/,
    'Enter in the panel is the panel\'s: it asks for the comment');
  assert.equal(await openPanels(tom), 1, 'and the panel stays, alone');

  step = 'Esc closes the panel from anywhere, and the focus goes back to the result';
  await tom.evaluate(() => {
    document.activeElement.blur();
  });
  await press(tom, 'Escape');
  await tom.waitForFunction(() => !document.querySelector('.confirm:not([hidden])'));
  assert.deepEqual(await focusIs(tom), {inPanel: false, row: 'S-SH-01/WBC', tag: 'TR'});

  step = 'one action panel at a time';
  await press(tom, 'r');
  await tom.waitForSelector('.confirm:not([hidden])');
  await tom.$eval(`${cardOf('S-SH-02')} tr.result[data-code="PLT"] button.act.rerun`, (b) => b.click());
  assert.equal(await openPanels(tom), 1, 'the second does not open');
  assert.match(await tom.$eval('.confirm:not([hidden]) .error', (e) => e.textContent), /Finish or cancel this action first/);
  assert.equal((await focusIs(tom)).inPanel, true, 'and the focus is back in the open one');
  await press(tom, 'Escape');

  step = 'a whole-specimen action names every result it touches and asks twice; a comment code expands';
  await shiftPress(tom, 'R');
  await tom.waitForSelector('.confirm:not([hidden]) input[id^="comment-"]');
  assert.match(await tom.$eval('.confirm:not([hidden]) .what', (e) => e.textContent),
    /Release every held result of specimen S-SH-01: WBC 12\.00 10\*3\/uL, Platelets 60 10\*3\/uL/);
  await tom.keyboard.type('.ok ');
  const expanded = await tom.$eval('.confirm:not([hidden]) input[id^="comment-"]', (e) => e.value);
  assert.equal(expanded, 'Reviewed, consistent with previous ', 'the comment code .ok expanded as typed');
  await tom.keyboard.type('(whole specimen)');
  await press(tom, 'Enter');
  await tom.waitForSelector('.confirm .sure:not([hidden])');
  assert.match(await tom.$eval('.confirm .sure', (e) => e.textContent), /releases 2 results of specimen S-SH-01: WBC 12\.00 10\*3\/uL; Platelets 60 10\*3\/uL/);
  assert.equal(await tom.$$eval(cardOf('S-SH-01'), (c) => c.length), 1, 'nothing released before the second confirmation');
  await shot(tom, 'whole-specimen-confirmation');
  await accessible(tom, 'whole-specimen-confirmation');
  await press(tom, 'Enter');
  await tom.waitForFunction((s) => !document.querySelector(s), {}, cardOf('S-SH-01'));
  assert.equal(await focusedRow(tom), 'S-SH-02/WBC', 'on to the next specimen');

  step = 'anna signs in; tom opens a release on the PLT of S-SH-03; anna sees that he has it open';
  // Each at a screen of their own: the page in front is the one acting (a page behind gets no
  // animation frames, as a hidden tab).
  const anna = await signedIn(browser, tokens.technologist2);
  await tom.bringToFront();
  await press(tom, 'n');
  await press(tom, 'j');
  assert.equal(await focusedRow(tom), 'S-SH-03/PLT');
  await press(tom, 'r');
  await tom.waitForSelector('.confirm:not([hidden]) input[id^="comment-"]');
  await tom.keyboard.type('Looking at the smear');
  const scrolled = await tom.evaluate(() => window.scrollY);
  await anna.waitForFunction((s) => /tom/.test(document.querySelector(`${s} .presence:not([hidden])`)?.textContent || ''), {}, cardOf('S-SH-03'));
  await shot(anna, 'presence');
  await accessible(anna, 'presence');

  step = 'anna releases that PLT: tom sees it at once beside the card, his panel closes, his place stays';
  await anna.bringToFront();
  await anna.$eval(`${cardOf('S-SH-03')} tr.result[data-code="PLT"] button.act.release`, (b) => b.click());
  await anna.waitForSelector(`${cardOf('S-SH-03')} .confirm:not([hidden]) input[id^="comment-"]`);
  assert.match(await anna.$eval(`${cardOf('S-SH-03')} .confirm .who-else`, (e) => e.textContent), /^Careful: tom has it open too\.$/,
    'her panel says that tom is on it');
  await anna.keyboard.type('Released by anna: smear fine');
  await press(anna, 'Enter');
  await tom.bringToFront();
  await tom.waitForSelector(`${cardOf('S-SH-03')} tr.result.decided[data-code="PLT"]`);
  assert.match(await tom.$eval(`${cardOf('S-SH-03')} tr.result[data-code="PLT"]`, (r) => r.textContent), /released by anna at \d{2}:\d{2}/);
  assert.equal(await tom.$$eval(`${cardOf('S-SH-03')} tr.result[data-code="PLT"] button`, (b) => b.length), 0, 'its buttons are gone');
  assert.equal(await openPanels(tom), 0, 'tom\'s panel for it closed');
  assert.match(await tom.$eval(`${cardOf('S-SH-03')} .card-note`, (e) => e.textContent),
    /Platelets was released by anna at \d{2}:\d{2} while your release was open: nothing was sent \(your comment: “Looking at the smear”\)/,
    'said beside the card, with what he had typed');
  assert.equal(await focusedRow(tom), 'S-SH-03/PLT', 'the focus stays where tom was');
  assert.equal((await focusIs(tom)).row, 'S-SH-03/PLT');
  assert.ok(Math.abs((await tom.evaluate(() => window.scrollY)) - scrolled) < 40, 'and so does the page');
  await shot(tom, 'decided-by-anna');
  await accessible(tom, 'decided-by-anna');
  await press(tom, 'j');
  assert.equal(await focusedRow(tom), 'S-SH-04/WBC', 'j goes on from there, not from the top');

  step = 'm shows the rest of the specimen, which the card leaves out';
  await press(tom, 'm');
  await tom.waitForFunction((c) => document.querySelector(`${c} .more:not([hidden]) table.other-results`), {}, cardOf('S-SH-04'));
  assert.match(await tom.$eval(`${cardOf('S-SH-04')} table.other-results`, (t) => t.textContent),
    /Hemoglobin13\.0 g\/dL.*release by rules:/, 'the released HGB, with its decision');
  await shot(tom, 'more');
  await press(tom, 'm');
  await tom.waitForFunction((c) => document.querySelector(`${c} .more`).hidden, {}, cardOf('S-SH-04'));

  step = 'back from a specimen\'s page to the same card';
  await press(tom, 'n', 4);
  const place = await focusedRow(tom);
  assert.equal(place, 'S-SH-08/WBC');
  await press(tom, 'o');
  await tom.waitForFunction(() => document.querySelector('.page-head h1')?.textContent === 'Specimen S-SH-08' &&
    document.querySelector('table.history'));
  await tom.evaluate(() => history.back());  // the browser's Back (page.goBack waits for a load a fragment never has)
  await tom.waitForSelector('[data-rendered="all"]');
  await tom.waitForFunction(() => document.querySelector('tr.result.focused'));
  assert.equal(await focusedRow(tom), place, 'the card left is the card found');
  assert.equal(await tom.evaluate(() => {
    const r = document.querySelector('tr.result.focused').getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  }), true, 'and it is on the screen');

  step = '? shows the keys where one is, and lists /';
  await press(tom, '?');
  await tom.waitForSelector('#queue-keys:not([hidden])');
  assert.equal(await tom.evaluate(() => {
    const r = document.querySelector('#queue-keys').getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  }), true, 'the key list is on the screen, not at the top of the page');
  assert.match(await tom.$eval('#queue-keys', (e) => e.textContent), /\/search a specimen/);
  await shot(tom, 'keys');
  await press(tom, 'Escape');
  await tom.waitForSelector('#queue-keys', {hidden: true});

  step = '/ puts the cursor in the search field';
  await press(tom, '/');
  await tom.waitForFunction(() => document.activeElement && document.activeElement.id === 'search-specimen');
  log('every step held');
}

const launch = which === 'firefox'
  ? {browser: 'firefox', executablePath: process.env.HEMALINK_FIREFOX || '/usr/bin/firefox-esr', headless: true,
    extraPrefsFirefox: {'app.update.enabled': false, 'network.captive-portal-service.enabled': false}}
  : {browser: 'chrome', executablePath: process.env.HEMALINK_CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage']};
const browser = await puppeteer.launch(launch);
try {
  await run(browser);
} catch (e) {
  console.error(`[${which}] FAILED at "${step}": ${e.stack || e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
