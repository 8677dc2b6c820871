// LIS test codes no mapping table knows, on the outbox page: each has order tests that reach no
// analyzer until the integrator adds the code to the destination's table and restarts hemalink,
// which then orders them as mapped (the panel empties). Hidden while there is none.
import {get} from './api.js';
import {clear, h, when} from './dom.js';

export function unmappedCodes(app) {
  const heading = h('h2', {id: 'unmapped-heading'}, 'Unmapped LIS codes');
  const table = h('div', {class: 'unmapped-rows'});
  const section = h('section', {class: 'unmapped', 'aria-labelledby': heading.id, hidden: true},
    heading,
    h('p', {class: 'summary'}, 'Tests the LIS ordered with a code its mapping table does not know: ',
      'kept, sent to no analyzer, the LIS told in its acknowledgement. Add each code to the ',
      'destination\u2019s mapping table (lis[].mapping, codes or order_panels) and restart hemalink: ',
      'the open tests are then ordered and sent.'),
    table);

  async function load() {
    try {
      const data = await get('/api/v1/orders/unmapped');
      show(Array.isArray(data.unmapped) ? data.unmapped : []);
    } catch (e) {
      app.error(`The unmapped LIS codes could not be read: ${e.message}`);
    }
  }

  function show(list) {
    section.hidden = list.length === 0;
    clear(table, list.length === 0 ? null : h('table', {class: 'list'},
      h('thead', {}, h('tr', {}, ['Destination', 'Code', 'As the LIS names it', 'Open tests', 'Specimens',
        'Last ordered', 'Latest specimen'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, list.map((u) => h('tr', {dataset: {lisCode: u.lis_code}},
        h('td', {}, u.destination),
        h('th', {scope: 'row'}, h('code', {}, u.lis_code)),
        h('td', {}, [u.lis_text, u.lis_coding_system ? `(${u.lis_coding_system})` : ''].filter(Boolean).join(' ')),
        h('td', {}, String(u.open_tests)),
        h('td', {}, String(u.specimens)),
        h('td', {}, when(u.last_ordered_at)),
        h('td', {}, h('a', {href: `#/specimens/${encodeURIComponent(u.latest_specimen_id)}`}, u.latest_specimen_id)))))));
  }

  return {element: section, load};
}
