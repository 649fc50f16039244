/*
 * Relais: notifications are marked read once the person has seen them.
 *
 * The list's GET writes nothing (docs/idempotency.md); on the page, this
 * posts its "Mark all as read" form (form[data-mark-seen], with its CSRF
 * token and the newest id the page showed, so one that arrives meanwhile
 * stays unread) as soon as the list has been shown, and takes the unread
 * count out of the menu. The "New" badges stay for this viewing. Without
 * JavaScript the form's button does the same.
 */
(function () {
  'use strict';

  function markSeen(form) {
    fetch(form.action, {
      method: 'POST',
      body: new FormData(form),
      credentials: 'same-origin',
      headers: { 'X-Requested-With': 'fetch' },
    }).then(function (response) {
      if (!response.ok) { return; }
      form.hidden = true;
      document.querySelectorAll('[data-unread-count]').forEach(function (count) { count.remove(); });
    }).catch(function () { /* offline: the button is still there */ });
  }

  document.addEventListener('DOMContentLoaded', function () {
    const form = document.querySelector('form[data-mark-seen]');
    if (form && document.visibilityState !== 'hidden') { markSeen(form); }
  });
}());
