// Rules: a cases file (as `hemalink rules test` reads it) run against the rule set in force, each
// verdict and firing shown; and how often each rule fired today.
import {get, post, query} from './api.js';
import {clear, h} from './dom.js';
import {subNav} from './validation.js';

export function rulesPage(root, app) {
  const file = h('input', {type: 'file', id: 'cases-file', accept: '.json,application/json'});
  const text = h('textarea', {id: 'cases-text', rows: 10, spellcheck: 'false',
    placeholder: '{"cases": [{"name": "...", "specimen": {...}, "expect": {...}}]}'});
  const outcome = h('div', {class: 'rule-outcome', 'aria-live': 'polite'});
  const firings = h('div', {class: 'firings'});
  const form = h('form', {class: 'cases'},
    h('div', {class: 'field'}, h('label', {for: file.id}, 'Cases file'), file),
    h('div', {class: 'field'}, h('label', {for: text.id}, 'Or paste the cases'), text),
    h('button', {type: 'submit'}, 'Run against the rules in force'));
  clear(root, h('div', {class: 'page-head'}, h('h1', {}, 'Rules')), subNav('test'),
    h('section', {'aria-labelledby': 'test-title'}, h('h2', {id: 'test-title'}, 'Test cases'), form, outcome),
    h('section', {'aria-labelledby': 'firings-title'}, h('h2', {id: 'firings-title'}, 'Fired today'), firings));

  file.addEventListener('change', async () => {
    if (file.files[0]) text.value = await file.files[0].text();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const cases = JSON.parse(text.value);
      clear(outcome, report(await post('/api/v1/rules/test', cases)));
      app.error('');
    } catch (err) {
      clear(outcome, h('p', {class: 'error', role: 'alert'}, `The cases were not run: ${err.message}`));
    }
  });

  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  get(`/api/v1/rules/firings${query({since: midnight.toISOString()})}`).then((list) => {
    clear(firings, list.length === 0 ? h('p', {class: 'empty'}, 'No rule has fired today.') :
      h('table', {class: 'list'},
        h('thead', {}, h('tr', {}, ['Rule', 'Fired', 'Of which held'].map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, list.map((r) => h('tr', {}, h('th', {scope: 'row'}, r.rule_id), h('td', {}, String(r.fired)), h('td', {}, String(r.held)))))));
  }).catch((e) => app.error(`The firings could not be read: ${e.message}`));
  return {};
}

function report(r) {
  return [
    h('p', {class: r.failed ? 'verdict failed' : 'verdict passed'},
      h('strong', {}, r.failed ? `${r.failed} case${r.failed === 1 ? '' : 's'} FAILED` : 'Every case passed'),
      ` · ${r.passed} passed · rule set ${r.rule_set_version}`),
    r.never_fired && r.never_fired.length ? h('p', {}, 'Rules no case made fire: ', r.never_fired.join(', ')) : null,
    r.cases.map((c) => h('section', {class: `case ${c.passed ? 'passed' : 'failed'}`},
      h('h3', {}, c.passed ? '✓ ' : '✗ ', c.name),
      (c.mismatches || []).length ? h('ul', {class: 'mismatches'}, c.mismatches.map((m) => h('li', {}, m))) : null,
      h('table', {class: 'list'},
        h('thead', {}, h('tr', {}, ['Test', 'Value', 'Verdict', 'Rules fired'].map((x) => h('th', {scope: 'col'}, x)))),
        h('tbody', {}, c.results.map((res) => h('tr', {},
          h('th', {scope: 'row'}, res.code), h('td', {}, res.value), h('td', {}, res.verdict),
          h('td', {}, res.fired.map((f) => `${f.rule_id} (${f.action}${f.reason ? `: ${f.reason}` : ''})`).join('; ')))))))),
  ];
}
