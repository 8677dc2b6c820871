// Who else has a specimen open, so that two technologists do not work the same specimen
// unknowingly: this page tells the server what it has open (through the live events' socket), and
// keeps, from the server's presence events, which specimens the others have open.
//
// The server's words: on each (re)connect a `presence_snapshot` {session: this socket's, present:
// [{user, session, specimen_row_id}]}, then `presence` events {user, session, specimen_row_id or
// null}, each the whole state of one session (a closed page clears its own with null).

// `send(message)` is the live socket's (api.js listen(...).send); `canClaim`: the signed-in role
// may say it has a specimen open (technologists and admins; the server ignores a viewer's).
export function presence({send, canClaim}) {
  let mine = null;
  let mySession = null;
  const sessions = new Map();  // session -> {user, session, specimenRowId}
  const listeners = new Set();

  const tell = () => {
    if (canClaim) send({type: 'presence', specimen_row_id: mine});
  };
  const changed = (specimenRowIds) => {
    const touched = [...new Set(specimenRowIds)].filter((id) => id !== null);
    if (touched.length) for (const listener of listeners) listener(touched);
  };
  const place = (event) => {
    const before = sessions.get(event.session);
    if (event.specimen_row_id === null || event.specimen_row_id === undefined) sessions.delete(event.session);
    else sessions.set(event.session, {user: event.user, session: event.session, specimenRowId: event.specimen_row_id});
    return [before ? before.specimenRowId : null, event.specimen_row_id ?? null];
  };

  return {
    // This page has `specimenRowId` open now (null: none): told at once, and again after a
    // reconnect.
    open(specimenRowId) {
      const next = specimenRowId ?? null;
      if (next === mine) return;
      mine = next;
      tell();
    },
    // The socket is live again (a new session): the server knows nothing of this page yet.
    resend() {
      if (mine !== null) tell();
    },
    // Each live event; true when it was about presence.
    onEvent(event) {
      if (event.type === 'presence_snapshot') {
        const touched = [...sessions.values()].map((p) => p.specimenRowId);
        sessions.clear();
        mySession = event.session;
        for (const p of event.present || []) touched.push(...place(p));
        changed(touched);
        return true;
      }
      if (event.type === 'presence') {
        changed(place(event));
        return true;
      }
      return false;
    },
    // The others (every session but this page's own) that have `specimenRowId` open: [{user,
    // session}], by user. The same user in another tab is one of them.
    othersOn(specimenRowId) {
      return [...sessions.values()]
        .filter((p) => p.specimenRowId === specimenRowId && p.session !== mySession)
        .map(({user, session}) => ({user, session}))
        .sort((a, b) => a.user.localeCompare(b.user) || a.session - b.session);
    },
    // `listener(specimenRowIds)` after each change, with the specimens whose others changed.
    // Returns the function that stops it.
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get session() {
      return mySession;
    },
  };
}

// "anna has it open", "anna and tom have it open": for a card's line, '' when nobody.
export function othersSentence(others) {
  const names = [...new Set(others.map((o) => o.user))];
  if (names.length === 0) return '';
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${list} ${names.length === 1 ? 'has' : 'have'} it open`;
}
