// The outbox: rows waiting for or refused by each LIS destination, with the reason, and resend for
// admins.
import {get, may, post, query} from './api.js';
import {clear, h, when} from './dom.js';
import {unmappedCodes} from './unmapped_codes.js';

export function outboxPage(root, app) {
  const status = h('select', {id: 'outbox-status', name: 'status'},
    ['pending', 'dead', 'sent', ''].map((s) => h('option', {value: s}, s || 'any')));
  const table = h('div', {class: 'outbox-rows', 'aria-live': 'polite'});
  const unmapped = unmappedCodes(app);
  clear(root, h('div', {class: 'page-head'}, h('h1', {}, 'Outbox'),
    h('p', {class: 'summary'}, 'Messages for the LIS, newest first.')), unmapped.element,
    h('div', {class: 'field inline'}, h('label', {for: status.id}, 'Status'), status), table);
  status.addEventListener('change', load);
  let pending = null;

  async function load() {
    try {
      const data = await get(`/api/v1/outbox${query({status: status.value, limit: 500})}`);
      clear(table, rows(data.rows));
      app.error('');
    } catch (e) {
      app.error(`The outbox could not be read: ${e.message}`);
    }
  }

  function rows(list) {
    if (!Array.isArray(list) || list.length === 0) return h('p', {class: 'empty'}, 'No row.');
    const byDestination = new Map();
    for (const row of list) {
      if (!byDestination.has(row.destination)) byDestination.set(row.destination, []);
      byDestination.get(row.destination).push(row);
    }
    return [...byDestination].map(([destination, rowsOf]) => h('section', {class: 'destination'},
      h('h2', {}, destination, h('small', {}, ` ${rowsOf.length} row${rowsOf.length === 1 ? '' : 's'}`)),
      h('table', {class: 'list'},
        h('thead', {}, h('tr', {}, ['Row', 'Specimen', 'Status', 'Attempts', 'Reason', 'Created', 'Sent', may('admin') ? 'Act' : null]
          .filter(Boolean).map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, rowsOf.map((row) => h('tr', {class: `status-${row.status}`, dataset: {outboxId: row.outbox_id}},
          h('th', {scope: 'row'}, String(row.outbox_id)),
          h('td', {}, h('a', {href: `#/specimens/${encodeURIComponent(row.specimen_id)}`}, row.specimen_id)),
          h('td', {}, h('span', {class: `badge ${row.status}`}, row.status)),
          h('td', {}, String(row.attempts)),
          h('td', {class: 'reason'}, row.last_error || ''),
          h('td', {}, when(row.created_at)),
          h('td', {}, when(row.sent_at)),
          may('admin') ? h('td', {}, row.status !== 'pending'
            ? h('button', {type: 'button', class: 'act resend', onclick: (e) => resend(row, e.target)}, `Resend row ${row.outbox_id}`) : '') : null))))));
  }

  async function resend(row, button) {
    if (!window.confirm(`Send row ${row.outbox_id} (specimen ${row.specimen_id}) to ${row.destination} again?`)) return;
    button.disabled = true;
    try {
      await post(`/api/v1/outbox/${row.outbox_id}/resend`, {});
      app.announce(`Row ${row.outbox_id} queued again`);
      load();
    } catch (e) {
      button.disabled = false;
      app.error(`Row ${row.outbox_id} was not resent: ${e.message}`);
    }
  }

  load();
  unmapped.load();
  return {
    onEvent(event) {
      if (!['delivered', 'dead', 'released', 'message', 'gap'].includes(event.type)) return;
      clearTimeout(pending);
      pending = setTimeout(load, 300);
    },
  };
}
