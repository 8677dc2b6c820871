// Orders overdue at the top of the review queue: orders from the LIS with tests still pending
// past orders.overdue_after_min, oldest first, each with what it waits for and where that test
// went. Hidden when there is none; read again as results come in and every minute (an order
// becomes overdue by time alone).
import {get} from './api.js';
import {ago, clear, h, when} from './dom.js';

const EVERY_MINUTE = 60000;
const SHOWN_FIRST = 5;  // the queue stays in sight: the rest on demand
const PENDING = new Set(['ordered', 'sent', 'acknowledged']);

export function overdueOrders(app) {
  const heading = h('h2', {id: 'overdue-heading'}, 'Overdue orders');
  const body = h('div', {});
  const section = h('section', {class: 'overdue', 'aria-labelledby': heading.id, hidden: true},
    heading, body);
  let scheduled = null;
  let showsAll = false;

  async function load() {
    if (!section.isConnected && section.dataset.loaded) return;
    try {
      const data = await get('/api/v1/orders?overdue=true&limit=200');
      show(data.orders, data.overdue_after_min);
    } catch (e) {
      app.error(`The overdue orders could not be read: ${e.message}`);
    }
  }

  function show(orders, minutes) {
    section.dataset.loaded = 'true';
    section.hidden = orders.length === 0;
    heading.textContent = `Overdue orders: ${orders.length}`;
    const oldestFirst = [...orders].sort((a, b) => a.order_id - b.order_id);
    const shown = showsAll ? oldestFirst : oldestFirst.slice(0, SHOWN_FIRST);
    const more = oldestFirst.length - shown.length;
    clear(body,
      h('p', {class: 'summary'}, `Tests still waiting ${minutes} min after the LIS ordered them, oldest first.`),
      h('table', {class: 'list'},
        h('thead', {}, h('tr', {}, ['Specimen', 'Priority', 'Order', 'Patient', 'Waiting for', 'Ordered']
          .map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, shown.map(row))),
      more > 0 ? h('button', {type: 'button', class: 'link', onclick: () => {
        showsAll = true;
        show(orders, minutes);
      }}, `Show the other ${more}`) : '');
  }

  function row(order) {
    const waiting = (order.tests || []).filter((t) => PENDING.has(t.status));
    return h('tr', {dataset: {orderId: order.order_id}},
      h('th', {scope: 'row'}, h('a', {href: `#/specimens/${encodeURIComponent(order.specimen_id)}`}, order.specimen_id)),
      h('td', {}, order.priority ? h('span', {class: `badge ${order.priority}`}, order.priority.toUpperCase()) : ''),
      h('td', {}, order.placer_number || '', order.source ? h('small', {}, ` ${order.source}`) : ''),
      h('td', {}, order.patient_id || ''),
      h('td', {class: 'waiting'}, waiting.map((t) => h('span', {class: `test ${t.is_mapped === false ? 'unmapped' : t.status}`},
        t.code, h('small', {}, t.is_mapped === false ? ' not in the LIS mapping table: sent to no analyzer'
          : t.analyzer ? ` ${t.status} to ${t.analyzer}` : ` ${t.status}`)))),
      h('td', {}, h('time', {datetime: order.created_at, title: when(order.created_at)}, ago(order.created_at))));
  }

  function tick() {
    if (!section.isConnected && section.dataset.loaded) return;  // the page was left
    load();
    setTimeout(tick, EVERY_MINUTE);
  }

  return {
    element: section,
    start: tick,
    onEvent(event) {
      if (!['message', 'gap'].includes(event.type) || scheduled) return;
      scheduled = setTimeout(() => {
        scheduled = null;
        load();
      }, 500);
    },
  };
}
