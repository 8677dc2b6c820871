// The technologist's page in a real headless Chromium (playwright-core), against the real daemon
// that tests/web/review_page_pgtest.cpp started. It has an analyzer send (HL7 over MLLP on
// 127.0.0.1, with `hemalink simulate`) so that a held result arrives while the page is open.
//
//   node review_page.mjs flow|thousand|labday
//
// Environment: HEMALINK_URL, HEMALINK_BINARY, HEMALINK_ANALYZER_PORT, HEMALINK_TOKEN_VIEWER, _TECHNOLOGIST, _ADMIN,
// HEMALINK_ARTIFACTS (screenshots and axe reports), HEMALINK_CHROMIUM (default /usr/bin/chromium).
// Exits 0 when every step held, 1 with the step that did not, 2 for a mode it does not know.
import assert from 'node:assert/strict';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {STEP_TIMEOUT, accessible, artifacts, runInChromium, oru, sendToHemalink, shot, tokens, url} from './web_lab.mjs';

let step = 'starting';
const log = (what) => console.log(`[web] ${what}`);

async function newPage(browser, width = 1280, height = 800) {
  const context = await browser.newContext({viewport: {width, height}});
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on('pageerror', (e) => {
    throw new Error(`the page threw during "${step}": ${e.message}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') log(`console error during "${step}": ${m.text()}`);
  });
  return page;
}

async function signIn(page, token) {
  await page.goto(url);
  await page.fill('#token', token);
  await page.press('#token', 'Enter');
}

async function signedIn(browser, role, width, height) {
  const page = await newPage(browser, width, height);
  await signIn(page, tokens[role]);
  await page.waitForSelector('#nav:not([hidden])');
  await page.waitForSelector('#live.live');
  return page;
}

async function flow(browser) {
  step = 'a bad token is refused';
  const stranger = await newPage(browser);
  await signIn(stranger, 'hl_not_a_token');
  await stranger.waitForSelector('#sign-in-error:has-text("not valid")');
  assert.equal(await stranger.isVisible('#nav'), false);
  await shot(stranger, 'sign-in-refused');
  await accessible(stranger, 'sign-in');

  step = 'sign in as a technologist: the Sysmex CBC waits with its flags';
  const tech = await signedIn(browser, 'technologist');
  const xn = tech.locator('article.card:has(h2:has-text("S-XN-1"))');
  await xn.waitFor();
  assert.equal(await xn.locator('.badge.stat').textContent(), 'STAT', 'the analyzer sent it as STAT');
  assert.match(await xn.locator('.instrument-flags').textContent(),
    /Instrument flags: Blasts\/Abn_Lympho\? \(Q 140\) · 1 more reported, not positive$/);
  assert.match(await xn.locator('.more .suspect').textContent(), /Reported, not positive: PLT_Clumps\? \(Q 90\)/,
    'the flag not called positive is behind "more"');
  assert.match(await xn.locator('.attachment.file').textContent(), /SCAT_WDF.*Kept on the analyzer as 20261128\/2026_11_28_10_15_00_WDF\.PNG/);
  await tech.evaluate(() => { window.hemalinkNotReloaded = true; });

  step = 'the order the LIS placed and no analyzer ran is listed overdue above the queue';
  const overdue = tech.locator('section.overdue');
  await overdue.waitFor();
  assert.equal(await overdue.locator('h2').textContent(), 'Overdue orders: 2');
  const unknown = overdue.locator('tr:has(a:has-text("S-ORD-2"))');
  assert.match(await unknown.locator('td.waiting').textContent(), /GLU not in the LIS mapping table: sent to no analyzer/,
    'an order whose code the table does not know says why it waits');
  const ordered = overdue.locator('tr:has(a:has-text("S-ORD-1"))');
  assert.equal(await ordered.locator('.badge.stat').textContent(), 'STAT', 'its priority from TQ1-9');
  assert.match(await ordered.textContent(), /PL-ORD-1/, 'the LIS\'s placer number');
  assert.match(await ordered.locator('td.waiting').textContent(), /WBC ordered.*PLT ordered/, 'what it waits for');

  step = 'a CBC whose PLT is held arrives live';
  sendToHemalink(oru('S-WEB-1', 'P-WEB-1', 45, {image: true}));
  const row = tech.locator('article.card:has(h2:has-text("S-WEB-1")) tr.result[data-code="PLT"]');
  await row.waitFor();
  assert.equal(await tech.evaluate(() => window.hemalinkNotReloaded), true, 'the page was reloaded');
  assert.equal(await tech.locator('article.card').count(), 2);
  assert.equal(await tech.locator('article.card').first().locator('h2').textContent(), 'Specimen S-XN-1', 'oldest first');
  assert.match(await row.textContent(), /PLT below 100/);
  assert.match(await row.locator('td.flag').textContent(), /low/, 'the flag is written, not only coloured');
  assert.equal(await tech.locator('article.card img[alt^="15008"], article.card img[alt*="WBC Histogram"]').count(), 1,
    'the histogram the analyzer sent as data is shown');
  await shot(tech, 'queue');
  await accessible(tech, 'queue');

  step = 'move to it and release it from the keyboard with a comment';
  assert.equal(await xn.locator('tr.result[data-code="WBC"].focused').count(), 1, 'the first held result has the focus');
  await tech.locator('body').press('n');
  assert.equal(await row.evaluate((e) => e.classList.contains('focused') && e === document.activeElement), true,
    'n goes to the next specimen');
  await tech.keyboard.press('k');
  assert.equal(await xn.locator('tr.result[data-code="PLT"].focused').count(), 1, 'k goes back one result');
  await tech.keyboard.press('j');
  assert.equal(await row.evaluate((e) => e.classList.contains('focused')), true, 'j goes on one result');
  await tech.keyboard.press('r');
  const comment = tech.locator('.confirm:not([hidden]) input[id^="comment-"]');
  await comment.waitFor();
  assert.equal(await comment.evaluate((e) => e === document.activeElement), true, 'the comment has the focus');
  await tech.keyboard.press('Enter');
  await tech.waitForSelector('.confirm .error:has-text("A comment is required.")');
  await tech.keyboard.type('Smear checked: no clumps, PLT confirmed');
  await shot(tech, 'queue-confirm');
  await tech.keyboard.press('Enter');
  await tech.locator('article.card:has(h2:has-text("S-WEB-1"))').waitFor({state: 'detached'});
  assert.equal(await tech.locator('article.card').count(), 1, 'only the released specimen left');
  assert.equal(await xn.locator('tr.result[data-code="PLT"]').evaluate((e) => e.classList.contains('focused')), true,
    'the focus goes on to what is left');

  step = 'a specimen arriving while a comment is being written disturbs nothing';
  await tech.keyboard.press('r');
  const xnComment = xn.locator('.confirm:not([hidden]) input[id^="comment-"]');
  await xnComment.waitFor();
  await tech.keyboard.type('Looking at the smear');
  sendToHemalink(oru('S-WEB-2', 'P-WEB-1', 60));
  const second = tech.locator('article.card:has(h2:has-text("S-WEB-2")) tr.result[data-code="PLT"]');
  await second.waitFor();
  const cells = await second.locator('td').allTextContents();
  assert.match(cells[3], /^45 (\d{2}-\d{2} )?\d{2}:\d{2}$/, `the patient's previous PLT with its time: ${cells[3]}`);
  assert.equal(cells[4], '+15 (+33 %)', 'and the delta');
  assert.equal(await xnComment.evaluate((e) => e === document.activeElement), true, 'the focus stays in the comment');
  assert.equal(await xnComment.inputValue(), 'Looking at the smear', 'and what was typed stays');
  assert.equal(await tech.locator('article.card').first().locator('h2').textContent(), 'Specimen S-XN-1', 'the card being read stays first');
  await shot(tech, 'queue-live-while-writing');
  await tech.keyboard.press('Escape');
  await xnComment.waitFor({state: 'detached'});
  assert.equal(await tech.locator('article.card').count(), 2, 'cancelled: nothing was decided');

  step = 'the specimen page shows who released it';
  await tech.goto(`${url}/#/specimens/S-WEB-1`);
  const plt = tech.locator('table.history tr:has(th:has-text("PLT"))');
  await plt.locator('ol.decisions li.current:has-text("release")').waitFor();
  assert.match(await plt.locator('ol.decisions li.current').textContent(), /by user:tom .*Smear checked/);
  assert.match(await plt.locator('ol.decisions li.past').textContent(), /hold by rules:web-test/,
    'the rules\' hold stays in the history');
  assert.match(await plt.locator('ul.delivery').textContent(), /lis: (pending|sent)/);
  await shot(tech, 'specimen');
  await accessible(tech, 'specimen');

  step = 'search by patient';
  await tech.goto(`${url}/#/specimens`);
  await tech.fill('#search-patient', 'P-WEB-1');
  await tech.click('form.search button[type="submit"]');
  // The patient's two CBCs, each a row: specimen, patient, analyzer, received, results.
  const found = tech.locator('.search-results tbody tr');
  await tech.locator('.search-results tr:has(th a:text-is("S-WEB-1"))').waitFor();
  assert.deepEqual((await found.locator('th a').allTextContents()).sort(), ['S-WEB-1', 'S-WEB-2'],
    'the specimens of P-WEB-1, and no other');
  for (const row of await found.all()) {
    assert.deepEqual((await row.locator('td').allTextContents()).slice(0, 2), ['P-WEB-1', 'bc-1']);
  }
  assert.match(await found.filter({has: tech.locator('a:text-is("S-WEB-1")')}).locator('td').last().textContent(),
    /PLT 45 \(release\)/, 'the released PLT, with its decision');
  assert.match(await found.filter({has: tech.locator('a:text-is("S-WEB-2")')}).locator('td').last().textContent(),
    /PLT 60 \(hold\)/, 'the held one');
  await shot(tech, 'search');
  await accessible(tech, 'search');

  step = 'the analyzers board';
  await tech.goto(`${url}/#/analyzers`);
  await tech.waitForSelector('article.tile:has-text("bc-1")');
  assert.match(await tech.locator('article.tile:has-text("bc-1")').textContent(), /Messages today2Rejected today0/);
  assert.match(await tech.locator('article.tile:has-text("xn-1")').textContent(), /Messages today1Rejected today0/);
  await shot(tech, 'analyzers');
  await accessible(tech, 'analyzers');

  step = 'the rules page runs cases and counts firings';
  await tech.goto(`${url}/#/rules`);
  await tech.waitForSelector('.firings td');
  assert.match(await tech.locator('.firings').textContent(), /plt-low-hold/);
  await tech.fill('#cases-text', JSON.stringify({cases: [{
    name: 'a low PLT is held', specimen: {results: [{code: 'PLT', value: '45'}]}, expect: {PLT: 'hold'},
  }]}));
  await tech.click('form.cases button[type="submit"]');
  // Whatever comes first, a verdict or the error that the cases were not run: only a pass will do.
  const outcome = tech.locator('.rule-outcome .verdict, .rule-outcome .error');
  await outcome.waitFor();
  assert.equal(await outcome.getAttribute('class'), 'verdict passed', `the case passes: ${await outcome.textContent()}`);
  assert.match(await outcome.textContent(), /^Every case passed · 1 passed · rule set web-test#[0-9a-f]{12}$/);
  await shot(tech, 'rules');
  await accessible(tech, 'rules');

  step = 'a viewer sees held results and no action';
  const viewer = await signedIn(browser, 'viewer');
  await viewer.waitForSelector('article.card:has(h2:has-text("S-WEB-2"))');
  assert.equal(await viewer.locator('button.act').count(), 0, 'a viewer is offered no action');
  await viewer.locator('body').press('r');
  assert.equal(await viewer.locator('.confirm:not([hidden])').count(), 0, 'nor from the keyboard');
  await shot(viewer, 'queue-viewer');

  step = 'the outbox shows a dead row and an admin resends it';
  const admin = await signedIn(browser, 'admin', 1920, 1080);
  await admin.goto(`${url}/#/outbox`);
  step = 'the outbox page lists the LIS code no mapping table knows';
  const unmapped = admin.locator('section.unmapped tr[data-lis-code="GLU"]');
  await unmapped.waitFor();
  assert.match(await unmapped.textContent(), /lis.*GLU.*Glucose.*1.*S-ORD-2/s, 'destination, code, text, one open test, the specimen');
  assert.equal(await admin.locator('section.unmapped tbody tr').count(), 1, 'only the unknown code: WBC and PLT are in the table');
  await shot(admin, 'outbox-unmapped');
  step = 'the outbox shows a dead row and an admin resends it';
  await admin.selectOption('#outbox-status', 'dead');
  const dead = admin.locator('section.destination:has(h2:has-text("reference-lab")) tr.status-dead:has(a:has-text("S-WEB-1"))').first();
  await dead.waitFor();
  assert.match(await dead.locator('td.reason').textContent(), /the LIS answered AE/, 'the reason is shown');
  await shot(admin, 'outbox-dead');
  await accessible(admin, 'outbox');
  admin.once('dialog', (d) => d.accept());
  await dead.locator('button.resend').click();
  await admin.waitForSelector('.notice:has-text("queued again")');
  await shot(admin, 'outbox-resent');
  await admin.goto(`${url}/#/queue`);
  await admin.waitForSelector('article.card:has(h2:has-text("S-WEB-2"))');
  await shot(admin, 'queue-1920');
  log('flow: every step held');
}

// 1,000 held specimens (sent by the C++ side): the time from navigation to the first screen of
// cards, measured in the browser. Reported, not asserted.
const THOUSAND = 1000;  // CBCs review_page_pgtest.cpp sent, each with its PLT (under 100) held
async function thousand(browser) {
  step = 'a queue of 1,000 held specimens';
  const page = await signedIn(browser, 'technologist');
  const times = [];
  for (let i = 0; i < 5; i += 1) {
    await page.reload();
    await page.waitForSelector('#main [data-first-screen-ms]');
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const mark = performance.getEntriesByName('hemalink-queue-first-screen')[0];
      return {fromNavigation: Math.round(mark.startTime - nav.startTime), render: Number(document.querySelector('[data-first-screen-ms]').dataset.firstScreenMs)};
    });
    times.push(t);
  }
  const cards = await page.evaluate(() => new Promise((resolve) => {
    const wait = () => (document.querySelector('[data-rendered="all"]') ? resolve(document.querySelectorAll('article.card').length) : setTimeout(wait, 50));
    wait();
  }));
  assert.equal(await page.locator('#queue-summary').textContent(),
    `${THOUSAND} specimens held, ${THOUSAND} results, STAT first, then oldest first.`, 'each CBC sent, its PLT held');
  assert.equal(cards, THOUSAND, 'a card for every held specimen once the page has rendered them all');
  await shot(page, 'queue-1000');
  const sorted = times.map((t) => t.fromNavigation).sort((a, b) => a - b);
  const report = {specimens_rendered: cards, first_screen_ms: sorted, median_ms: sorted[2], render_ms: times.map((t) => t.render)};
  writeFileSync(path.join(artifacts, 'queue-1000.json'), JSON.stringify(report, null, 2));
  log(`thousand: ${JSON.stringify(report)}`);
}

// A hospital's lab day through the shipped rules (sent by the C++ side): few specimens held, each
// card's held results saying which rule held them and why, in words a technologist reads.
async function labday(browser) {
  step = "a lab day's queue";
  const page = await signedIn(browser, 'technologist', 1280, 1000);
  await page.waitForSelector('article.card');
  await page.waitForSelector('[data-rendered="all"]');
  const cards = await page.locator('article.card').count();
  assert.ok(cards > 0 && cards < 50, `${cards} held specimens of 200 tubes`);
  // The reason on each row, or once on the card when every held result has the same.
  const reasons = await page.locator('article.card td.why, article.card .held-why').allTextContents();
  assert.ok(reasons.length >= cards, 'every card has a held result');
  assert.equal(await page.locator('article.card h2:text-matches("^Specimen QC-")').count(), 0, 'no control among the patients');
  for (const why of reasons) assert.ok(why.trim().length > 10, `a held result says why: "${why}"`);
  await shot(page, 'queue-lab-day');
  await accessible(page, 'queue-lab-day');
  log(`labday: ${cards} specimens held, every result with its reason`);
  const density = {};
  for (const [width, height] of [[1400, 900], [1920, 1080]]) {
    density[`${width}x${height}`] = await specimensPerScreen(browser, width, height);
  }
  writeFileSync(path.join(artifacts, 'queue-density.json'), JSON.stringify(density, null, 2));
  log(`labday: specimens per screen ${JSON.stringify(density)}`);
}

// How much of a lab day's queue one screen shows, scrolled to the top: the cards whole on it,
// those begun on it, and the held results whose rows are on it. Reported (docs/web.md), not
// asserted.
async function specimensPerScreen(browser, width, height) {
  const page = await signedIn(browser, 'technologist', width, height);
  await page.waitForSelector('[data-rendered="all"]');
  const seen = await page.evaluate(() => {
    const bottom = window.innerHeight;
    const on = (e, whole) => {
      const r = e.getBoundingClientRect();
      return r.height > 0 && r.top < bottom && (!whole || r.bottom <= bottom);
    };
    const cards = [...document.querySelectorAll('article.card')];
    return {
      cards_whole: cards.filter((c) => on(c, true)).length,
      cards_begun: cards.filter((c) => on(c, false)).length,
      held_results: [...document.querySelectorAll('article.card tr.result')].filter((r) => on(r, true)).length,
      // the card with the most held results: how many, and how tall it is
      largest_card: cards.map((c) => ({held_results: c.querySelectorAll('tr.result').length, height_px: Math.round(c.getBoundingClientRect().height)}))
        .sort((a, b) => b.held_results - a.held_results)[0],
    };
  });
  await shot(page, `queue-lab-day-${width}x${height}`);
  await page.context().close();
  return seen;
}

await runInChromium({flow, thousand, labday}, () => step);
