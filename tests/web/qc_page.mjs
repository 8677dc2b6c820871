// The QC page in a real headless Chromium (playwright-core), against the daemon that
// tests/web/qc_page_pgtest.cpp started: an XN whose WBC went out of control (two weeks of
// controls, a lot change, patients, a failing run, three patients held by the gate).
//
//   node qc_page.mjs out|queue|held
//
// out:  what is out and what was held: the page opens on the WBC of xn-1, the held groups (an
//       earlier 2-2s failure "QC accepted again", the last one "QC still out"), the gate, the XbarM excursion of MCV as a warning on the gate table and
//       the board, a Levey-Jennings chart per level on a time axis whose labels all differ.
// queue: after an accepted run, the review queue shows the same groups above its cards, each
//       gated card "QC accepted again at ...", and no control as a card.
// held: after an accepted run, the group says "QC accepted again at"; its three results released
//       in one decision from the keyboard (the panel keeps Tab and Shift-Tab inside, Esc closes
//       it), its comment from the code .rep an admin added (Esc closes the code list, not the
//       panel; Enter expands it without going on), after a confirmation naming each; that group
//       gone, the earlier one still listed.
//
// Environment: as review_page.mjs. Exits 0 when every step held, 1 with the step that did not, 2
// for a mode it does not know.
import assert from 'node:assert/strict';
import path from 'node:path';
import {STEP_TIMEOUT, accessible, adminCall, artifacts, runInChromium, shot, tokens, url} from './web_lab.mjs';

let step = 'starting';
const log = (what) => console.log(`[web] ${what}`);

async function qcPage(browser, role) {
  const page = await (await browser.newContext({viewport: {width: 1280, height: 1000}})).newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on('pageerror', (e) => {
    throw new Error(`the page threw during "${step}": ${e.message}`);
  });
  await page.goto(url);
  await page.fill('#token', tokens[role]);
  await page.press('#token', 'Enter');
  await page.waitForSelector('#nav:not([hidden])');
  await page.goto(`${url}/#/qc`);
  await page.waitForSelector('section.held-groups article.held-group, section.held-groups p.empty');
  return page;
}

// The last failure's group (1-3s on level 1: three patients held); an earlier one (2-2s on level
// 2, its seven patients held until the next day's accepted run) is listed before it.
const group = (page) => page.locator('article.held-group:has(h3:has-text("Review the 3 results held by the failed run of WBC on xn-1"))');
const earlier = (page) => page.locator('article.held-group:has(h3:has-text("Review the 7 results held by the failed run of WBC on xn-1"))');

async function out(browser) {
  step = 'the page opens on what is out, the held results on top';
  const page = await qcPage(browser, 'viewer');
  assert.equal(await page.locator('article.held-group').count(), 2, 'two failures, each held results');
  assert.match(await earlier(page).locator('.qc-state').textContent(), /^QC accepted again at /, 'the earlier one ended');
  assert.match(await earlier(page).locator('.why').textContent(), /2-2s/);
  assert.equal(await group(page).locator('.qc-state').textContent(), 'QC still out');
  assert.match(await group(page).locator('.why').textContent(), /1-3s/);
  const held = group(page).locator('tbody tr');
  assert.equal(await held.count(), 3);
  assert.equal(await held.first().locator('a').getAttribute('href'), '#/specimens/S-HELD-1', 'linked to its specimen');
  assert.equal(await group(page).locator('button').count(), 0, 'a viewer is offered no action');
  const [heldBox, gatesBox] = [await page.locator('section.held-groups').boundingBox(), await page.locator('section.qc-gates').boundingBox()];
  assert.ok(heldBox.y < gatesBox.y, 'the held groups above the gate');
  await page.waitForSelector('.qc-detail h2:has-text("WBC on xn-1")');

  step = 'the gate, and the XbarM excursion of MCV as a warning';
  const row = page.locator('table.gates tr.gate-out:has(th:has-text("WBC"))');
  assert.match(await row.textContent(), /xn-1.*OUT of control.*QC rejected at .*1-3s/s, 'the gate and why');
  const mcv = page.locator('table.gates tr.gate-warning:has(th:has-text("MCV"))');
  assert.match(await mcv.textContent(), /excursion.*XbarM \(Bull\) excursion at .*\(a warning: results are not held for it\)/s);

  step = 'one Levey-Jennings chart per level, on a time axis';
  await page.waitForSelector('figure.qc-level svg.chart.lj');
  const captions = await page.locator('figure.qc-level figcaption').allTextContents();
  assert.equal(captions.length, 2, `two levels: ${captions}`);
  assert.match(captions[0], /Level 1 · XN-CHECK · lot 4411, 4412/);
  assert.match(captions[1], /Level 2 · XN-CHECK · lot 4411/);
  const [first, second] = await page.locator('figure.qc-level').all();
  assert.ok((await first.boundingBox()).y < (await second.boundingBox()).y, 'level 1 above level 2');
  const level1 = page.locator('figure.qc-level').nth(0);
  assert.equal(await level1.locator('g.point').count(), 14, 'every run of level 1');
  assert.equal(await level1.locator('g.point.rejected').count(), 2, 'its two points in rejected runs');
  assert.match(await level1.locator('g.point.rejected text').last().textContent(), /1-3s/, 'the 1-3s point is marked with the rule');
  assert.equal(await level1.locator('g.lot-change text').textContent(), 'lot 4412', 'the lot change is marked');
  for (const label of ['mean', '+1 SD', '+2 SD', '+3 SD', '−1 SD', '−2 SD', '−3 SD']) {
    assert.ok(await level1.locator(`g.line text:has-text("${label} ")`).count() >= 1, `the ${label} line`);
  }
  const ticks = await level1.locator('text.tick').allTextContents();
  assert.ok(ticks.length >= 3, `a few time labels: ${ticks}`);
  assert.equal(new Set(ticks).size, ticks.length, `no two time labels alike: ${ticks}`);
  const xs = await level1.locator('g.point circle, g.point rect').evaluateAll((marks) =>
    marks.map((m) => (m.tagName === 'rect' ? +m.getAttribute('x') + 5 : +m.getAttribute('cx'))));
  const gaps = xs.slice(1).map((x, i) => Math.round(x - xs[i]));
  assert.ok(gaps.every((g) => g > 0), `points in time order: ${gaps}`);
  const level2 = page.locator('figure.qc-level').nth(1);
  assert.match(await level2.locator('g.point.rejected text').first().textContent(), /2-2s/, '2-2s across runs on level 2');

  step = 'the patient results released before the failure are listed for review';
  const bracket = page.locator('section.bracket');
  assert.match(await bracket.locator('h3').textContent(), /7 patient result\(s\) released since the last accepted run/);
  assert.equal(await bracket.locator('tbody tr').count(), 7);

  step = 'the XbarM of MCV and the EWMA of WBC are charted';
  const xbarm = page.locator('figure.qc-average:has(figcaption:has-text("XbarM (Bull) of MCV"))');
  await xbarm.waitFor();
  assert.equal(await xbarm.locator('g.point').count(), 4, 'a point per batch of 20');
  assert.equal(await xbarm.locator('g.point.warning').count(), 1, 'the first shifted batch outside its limits is a warning');
  assert.equal(await xbarm.locator('g.point.rejected').count(), 1, 'the second in a row is an excursion');
  const ewma = page.locator('figure.qc-average:has(figcaption:has-text("EWMA of WBC"))');
  assert.equal(await ewma.locator('g.point').count(), 9, 'a point every ten patients');
  const [xbarmFigure, ewmaFigure] = await page.locator('figure.qc-average').all();
  assert.ok((await xbarmFigure.boundingBox()).y < (await ewmaFigure.boundingBox()).y, 'the XbarM of MCV first');
  await shot(page, 'qc');
  await page.screenshot({path: path.join(artifacts, 'qc-full.png'), fullPage: true});
  await accessible(page, 'qc');

  step = 'the analyzers board says which test is out, and the excursion';
  await page.goto(`${url}/#/analyzers`);
  const tile = page.locator('article.tile:has(h2:has-text("xn-1"))');
  await tile.locator('a.qc-summary.out').waitFor();
  assert.match(await tile.locator('a.qc-summary').textContent(), /OUT: WBC/);
  assert.match(await tile.locator('.qc-excursion').textContent(), /excursion: XbarM \(Bull\) MCV \(warning\)/);
  await shot(page, 'analyzers-qc');
  log('out: every step held');
}

const focused = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return {inPanel: Boolean(e.closest('.group-panel')), text: (e.textContent || e.value || e.id).trim()};
});

async function held(browser) {
  step = 'an admin adds the comment code .rep through the API';
  const added = await adminCall('PUT', '/api/v1/review/comments/.rep', {text: 'QC repeat in control'});
  assert.equal(added.status, 200, JSON.stringify(added.body));

  step = 'after an accepted run the group says so, and stays until reviewed';
  const page = await qcPage(browser, 'technologist');
  await page.waitForSelector('article.held-group .qc-state.accepted');
  assert.match(await group(page).locator('.qc-state').textContent(), /^QC accepted again at \d\d:\d\d$|^QC accepted again at \d{4}-\d\d-\d\d \d\d:\d\d$/);
  assert.equal(await page.locator('table.gates tr.gate-in:has(th:has-text("WBC"))').count(), 1, 'the gate is in again');

  step = 'the panel opens from the keyboard and keeps Tab and Shift-Tab inside';
  const releaseAll = group(page).locator('button:has-text("Release all 3")');
  await releaseAll.focus();
  await page.keyboard.press('Enter');
  const panel = group(page).locator('.group-panel[role="dialog"]');
  await panel.waitFor();
  assert.equal((await focused(page)).inPanel, true, 'the comment has the focus');
  const stops = new Set();
  for (let i = 0; i < 12; ++i) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    assert.equal(f.inPanel, true, `Tab ${i + 1} stayed in the panel (on "${f.text}")`);
    stops.add(f.text);
  }
  assert.ok(stops.size >= 4, `Tab cycles through the panel's controls: ${[...stops]}`);
  for (let i = 0; i < 12; ++i) {
    await page.keyboard.press('Shift+Tab');
    assert.equal((await focused(page)).inPanel, true, `Shift-Tab ${i + 1} stayed in the panel`);
  }
  await page.keyboard.press('Escape');
  await panel.waitFor({state: 'hidden'});
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Release all 3', 'focus back on its button');

  step = 'the comment from a code: offered, Esc closes the list and not the panel, Enter expands without sending';
  await page.keyboard.press('Enter');
  await panel.waitFor();
  await page.keyboard.type('.re');
  const offered = panel.locator('[role="listbox"] [role="option"]:has-text("QC repeat in control")');
  await offered.waitFor();
  await page.keyboard.press('Escape');
  await offered.waitFor({state: 'detached'});
  assert.equal(await panel.isVisible(), true, 'Esc closed the list, the panel stays');
  await page.keyboard.type('p');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.value), 'QC repeat in control', 'Enter expanded the code');
  assert.equal(await panel.locator('ul.touched').count(), 0, 'and did not go on to the confirmation');

  step = 'one comment, a confirmation naming every result, confirmed: released together';
  await page.keyboard.press('Enter');
  const touched = await panel.locator('ul.touched li').allTextContents();
  assert.deepEqual(touched, ['S-HELD-1 WBC', 'S-HELD-2 WBC', 'S-HELD-3 WBC'], 'the confirmation names each result');
  assert.match(await page.evaluate(() => document.activeElement.textContent), /^Confirm: release 3 results$/);
  await shot(page, 'qc-held-confirm');
  await accessible(page, 'qc-held-confirm');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.match(await page.evaluate(() => document.activeElement.textContent), /^Confirm/, 'Tab cycles back to Confirm');
  await page.keyboard.press('Enter');
  await page.waitForSelector('section.held-groups .held-status:has-text("Released S-HELD-1 WBC, S-HELD-2 WBC, S-HELD-3 WBC")');
  await group(page).waitFor({state: 'detached'});
  assert.equal(await earlier(page).count(), 1, 'the other group stays until someone reviews it');
  await shot(page, 'qc-held-done');
  log('held: every step held');
}

// The review queue after the accepted run: the same groups above the cards, offered as one
// action there too, and each card a failed run holds saying what its QC gate says now; the
// controls themselves are not cards.
async function queue(browser) {
  step = 'the queue shows the held groups above the cards and each gated card says QC is back';
  const page = await qcPage(browser, 'technologist');
  await page.goto(`${url}/#/queue`);
  await page.waitForSelector('[data-rendered="all"]');
  await page.waitForSelector('section.held-groups:not([hidden]) article.held-group');
  assert.equal(await page.locator('section.held-groups article.held-group').count(), 2, 'both failures, as on the QC page');
  assert.equal(await page.locator('article.card h2:text-matches("^Specimen QC-")').count(), 0, 'no control is a card');
  for (let i = 1; i <= 3; i += 1) {
    const card = page.locator(`article.card[data-specimen-id="S-HELD-${i}"]`);
    assert.match(await card.locator('.qc-state').textContent(), /^QC accepted again at (\d{4}-\d\d-\d\d )?\d\d:\d\d \(WBC on xn-1\)$/, `S-HELD-${i}`);
  }
  await shot(page, 'queue-qc-held');
  await accessible(page, 'queue-qc-held');

  step = 'the group\'s panel in the queue keeps the keyboard: no card key acts while it is open';
  await group(page).locator('button:has-text("Release all 3")').click();
  const panel = group(page).locator('.group-panel[role="dialog"]');
  await panel.waitFor();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Escape');
  await panel.waitFor({state: 'hidden'});
  assert.equal(await page.locator('.confirm:not([hidden])').count(), 0, 'no card action opened');
  log('queue: every step held');
}

await runInChromium({out, queue, held}, () => step);
