// Rules -> Validation in a real headless Chromium (playwright-core), against the daemon that
// tests/web/validation_page_pgtest.cpp started on a reviewed lab day: a candidate uploaded (a
// syntax error shown while typing, then fixed) and stored, its backtest run to done with the
// report's numbers as the API gives them, a false negative's specimen opened, promotion as admin.
// The reason is typed with a comment code an admin added through the API: offered under the
// field, expanded by Enter without sending, sent by the second Enter.
//
// Environment: as review_page.mjs, and HEMALINK_CANDIDATE (the candidate's rules file).
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {chromium} from 'playwright-core';
import {STEP_TIMEOUT, accessible, adminCall, artifacts, env, tokens, url} from './web_lab.mjs';

let step = 'starting';
const log = (what) => console.log(`[web] ${what}`);

async function signedIn(browser, role) {
  const page = await (await browser.newContext({viewport: {width: 1280, height: 900}})).newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on('pageerror', (e) => log(`the page threw during "${step}": ${e.message}`));
  await page.goto(url);
  await page.fill('#token', tokens[role]);
  await page.press('#token', 'Enter');
  await page.waitForSelector('#nav:not([hidden])');
  await page.goto(`${url}#/rules/validation`);
  await page.waitForSelector('#versions');
  return page;
}

async function shot(page, name, fullPage = false) {
  await page.screenshot({path: path.join(artifacts, `validation-${name}.png`), fullPage});
  log(`screenshot validation-${name}.png`);
}

const candidateFile = env('HEMALINK_CANDIDATE');
const candidate = readFileSync(candidateFile, 'utf8');

async function run() {
  const browser = await chromium.launch({executablePath: process.env.HEMALINK_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox']});
  try {
    step = 'an admin adds a comment code through the API';
    const why = 'no blast rule: what would it miss?';
    const added = await adminCall('PUT', '/api/v1/review/comments/.noblast', {text: why});
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const audited = await adminCall('GET', '/api/v1/audit?entity=comment_code');
    const entry = audited.body.entries[0];
    assert.deepEqual([entry.actor, entry.action, entry.entity_id], ['user:ada', 'create', '.noblast'], JSON.stringify(entry));

    step = 'a technologist uploads the candidate; a syntax error shows while typing';
    const tech = await signedIn(browser, 'technologist');
    assert.equal(await tech.locator('#versions tbody tr').count() >= 1, true, 'the live version is listed');
    await tech.setInputFiles('#candidate-file', candidateFile);
    await tech.waitForSelector('#candidate-check .check-ok');
    const broken = candidate.replace('"rules": [',
      '"rules": [\n    {"id": "typo", "applies_to": ["PLT"], "action": "release", "when": "value <"},');
    await tech.fill('#candidate-text', broken.slice(0, -1));
    const error = tech.locator('#candidate-check .check-errors li');
    await tech.waitForSelector('#candidate-check .check-errors li:has-text("not JSON")');
    assert.match(await error.first().textContent(), /^candidate\.json:\d+:\d+ not JSON/, 'unfinished JSON, where');
    await tech.fill('#candidate-text', broken);
    await tech.waitForSelector('#candidate-check .check-errors li:has-text("typo")');
    assert.match(await error.first().textContent(), /^candidate\.json:3:\d+ rule "typo": when:/);
    await shot(tech, 'syntax-error');
    await tech.fill('#candidate-text', candidate);
    await tech.waitForSelector('#candidate-check .check-ok');
    step = 'the reason: a comment code offered as it is typed, expanded by Enter, sent by the second';
    await tech.evaluate(() => {
      window.submitted = 0;
      document.getElementById('candidate-form').addEventListener('submit', () => { window.submitted += 1; });
    });
    await tech.click('#candidate-reason');
    await tech.keyboard.type('.nob');
    await tech.waitForSelector('#candidate-reason-codes [role="option"]:has-text("no blast rule")');
    assert.equal(await tech.getAttribute('#candidate-reason', 'aria-expanded'), 'true');
    await tech.keyboard.press('ArrowDown');
    assert.equal(await tech.getAttribute('#candidate-reason', 'aria-activedescendant'), 'candidate-reason-codes-0');
    await shot(tech, 'comment-codes');
    await accessible(tech, 'validation-comment-codes');
    await tech.keyboard.press('Escape');
    assert.equal(await tech.getAttribute('#candidate-reason', 'aria-expanded'), 'false', 'Esc closes the list');
    await tech.keyboard.type('last');
    await tech.keyboard.press('Enter');
    assert.equal(await tech.inputValue('#candidate-reason'), why, 'Enter expanded the code');
    assert.equal(await tech.evaluate(() => window.submitted), 0, 'and did not send what was not seen');
    await tech.keyboard.press('Enter');
    assert.equal(await tech.evaluate(() => window.submitted), 1, 'the second Enter sends');
    const stored = await tech.locator('#candidate-form .notice:has-text("Stored as version")').textContent();
    const version = stored.match(/version (\d+)/)[1];

    step = 'its backtest runs to done with a progress bar';
    await tech.waitForSelector(`#backtest-candidate option[value="${version}"]`, {state: 'attached'});
    await tech.selectOption('#backtest-candidate', version);
    await tech.click('#backtest-run');
    await tech.waitForSelector('#backtest-state[data-status="running"], #backtest-state[data-status="done"]');
    await shot(tech, 'progress');
    await tech.waitForSelector('#backtest-state[data-status="done"]', {timeout: 120000});
    const id = (await tech.locator('#backtest-state').textContent()).match(/Backtest (\d+)/)[1];

    step = 'the report\'s numbers are the API\'s';
    const api = await tech.evaluate(async (n) => (await fetch(`/api/v1/rules/backtests/${n}`,
      {headers: {Authorization: `Bearer ${sessionStorage.getItem('hemalink.token')}`}})).json(), id);
    const fact = async (key) => (await tech.locator(`#report-facts dd[data-field="${key}"]`).textContent());
    assert.equal(await fact('specimens'), String(api.report.specimens));
    assert.equal(await fact('results'), String(api.report.results));
    assert.equal(await fact('av_rate'), `${(api.report.av_rate * 100).toFixed(1)} %`);
    assert.match(await fact('false_negatives'), new RegExp(`^${api.report.false_negatives.results} results, ${api.report.false_negatives.specimens} specimens`));
    assert.equal(await fact('minutes_saved'), api.report.tat.minutes_saved.toFixed(0));
    assert.equal(await tech.locator('#false-negatives tbody tr').count(), api.report.false_negatives.listed.length);
    assert.equal(await tech.locator('svg.chart.bars').first().locator('g.bar').count(), Object.keys(api.report.by_test).length);
    assert.equal(await tech.locator('#promote-form').count(), 0, 'no promotion offered to a technologist');
    await tech.locator('#report-facts').scrollIntoViewIfNeeded();
    await tech.evaluate(() => window.scrollBy(0, -60));
    await shot(tech, 'report');
    await shot(tech, 'report-whole', true);

    step = 'a false negative opens its specimen\'s page';
    const first = api.report.false_negatives.listed[0].specimen_id;
    await tech.locator('#false-negatives tbody tr').first().locator('a').click();
    await tech.waitForURL(`**#/specimens/${encodeURIComponent(first)}`);
    await tech.waitForSelector(`h1:has-text("${first}")`);
    await tech.waitForSelector(`section.transmission td:has-text("${api.report.false_negatives.listed[0].value}")`);
    await shot(tech, 'specimen');

    step = 'an admin promotes it with a comment; the refusal of a second promotion is shown';
    const admin = await signedIn(browser, 'admin');
    await admin.click(`#backtests button:has-text("Show report ${id}")`);
    await admin.waitForSelector('#promote-form');
    admin.on('dialog', (d) => d.accept());
    await admin.fill('#promote-comment', 'Reviewed each false negative with the haematologist: accepted for the trial.');
    await admin.click('#promote');
    await admin.waitForSelector('#promote-answer:has-text("is live")');
    await admin.waitForSelector(`#versions tr[data-version="${version}"] .badge.status-live`);
    await shot(admin, 'promoted', true);
    await admin.click('#promote');
    await admin.waitForSelector('#promote-answer:has-text("refused")');
    log(`refusal shown: ${await admin.locator('#promote-answer').textContent()}`);

    step = 'an admin runs a draft in shadow, and the page shows it there';
    await admin.waitForSelector(`#shadow-version option[value="${process.env.HEMALINK_SHADOW_DRAFT}"]`,
      {state: 'attached', timeout: 15000});
    await admin.selectOption('#shadow-version', process.env.HEMALINK_SHADOW_DRAFT);
    await admin.click('#shadow-start');
    await admin.waitForSelector(`#shadow-facts dd[data-field="version"]:has-text("${process.env.HEMALINK_SHADOW_VERSION}")`,
      {timeout: 15000});
    await admin.waitForSelector('#shadow-stop');
    await tech.evaluate(() => { window.location.hash = '#/rules/validation'; });
    await tech.waitForSelector(`#shadow-facts dd[data-field="version"]:has-text("${process.env.HEMALINK_SHADOW_VERSION}")`,
      {timeout: 15000});
    assert.equal(await tech.locator('#shadow-start, #shadow-stop').count(), 0, 'no shadow control for a technologist');
    await admin.locator('#shadow').scrollIntoViewIfNeeded();
    await shot(admin, 'shadow');
  } finally {
    await browser.close();
  }
}

run().then(() => {
  log('every step held');
  process.exit(0);
}).catch((e) => {
  console.error(`[web] FAILED at "${step}": ${e.stack || e.message}`);
  process.exit(1);
});
