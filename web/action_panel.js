// An action panel (a release, a rerun, a rejection, with its comment) keeps the keyboard while it
// is open: Tab and Shift-Tab cycle inside it, Escape closes it wherever the focus is, and the
// focus cannot wander out of it to a button that would act on something else. One panel on the
// page holds the focus at a time (the review queue's and the QC groups' alike).

let holder = null;  // the container holding the focus now

// The panel that holds the focus, or null.
export function panelHoldingFocus() {
  return holder && holder.isConnected ? holder : null;
}

const FOCUSABLE = 'input:not([disabled]), button:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex="0"]';

export function focusableIn(container) {
  return [...container.querySelectorAll(FOCUSABLE)].filter((e) => !e.closest('[hidden]') && e.getClientRects().length > 0 &&
    (e.type !== 'radio' || e.checked));  // a radio group is one stop: its checked one
}

// Traps the focus in `container` until the returned function is called; `close` is called on
// Escape (from anywhere on the page). Callers ask panelHoldingFocus() first: a second holder is a bug.
export function holdFocus(container, close) {
  if (panelHoldingFocus() && holder !== container) throw new Error('another action panel holds the focus');
  holder = container;
  const onKeydown = (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = focusableIn(container);
    if (items.length === 0) return;
    const at = items.indexOf(document.activeElement);
    const step = e.shiftKey ? -1 : 1;
    const next = at < 0 ? items[e.shiftKey ? items.length - 1 : 0] : items[(at + step + items.length) % items.length];
    e.preventDefault();
    e.stopPropagation();
    next.focus();
  };
  const onFocusIn = (e) => {
    if (container.isConnected && !container.contains(e.target)) (focusableIn(container)[0] || container).focus();
  };
  document.addEventListener('keydown', onKeydown, true);
  document.addEventListener('focusin', onFocusIn);
  return () => {
    if (holder === container) holder = null;
    document.removeEventListener('keydown', onKeydown, true);
    document.removeEventListener('focusin', onFocusIn);
  };
}
