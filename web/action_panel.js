// An action panel (a release, a rerun, a rejection, with its comment) keeps the keyboard while it
// is open: Tab and Shift-Tab cycle inside it, Escape closes it wherever the focus is, and the
// focus cannot wander out of it to a button that would act on something else.

const FOCUSABLE = 'input:not([disabled]), button:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex="0"]';

export function focusableIn(container) {
  return [...container.querySelectorAll(FOCUSABLE)].filter((e) => !e.closest('[hidden]') && e.getClientRects().length > 0);
}

// Traps the focus in `container` until the returned function is called; `close` is called on
// Escape (from anywhere on the page).
export function holdFocus(container, close) {
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
    document.removeEventListener('keydown', onKeydown, true);
    document.removeEventListener('focusin', onFocusIn);
  };
}
