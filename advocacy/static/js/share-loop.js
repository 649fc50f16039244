/*
 * Relais: the share loop on the feed's cards and the share panel.
 *
 * - A network button (a[data-share-network]) opens the network's compose page
 *   (its href is made by the server: it works without this file). We remember
 *   which content and network, in sessionStorage, and when the person comes
 *   back to this tab we show that card's "Did you share it?" prompt
 *   ([data-share-prompt], rendered hidden by the server): once per use, never
 *   again after an answer or a dismissal.
 * - LinkedIn takes no text: its button copies the text and says so in the
 *   card's status line ([data-share-status]), or, if the clipboard refuses,
 *   says that too and shows the text selected for a manual copy.
 * - Where the Web Share API exists, "Share…" ([data-share-sheet]) appears and
 *   opens the device's share sheet with the text and the "other" tracked link;
 *   once the sheet reports a share, the prompt is offered at once.
 *
 * Plain ES2020, no inline handlers, nothing evaluated: fine under the CSP.
 * The tracker is pure (any Storage-like object) and tested with Node
 * (tests/js/share_loop.test.mjs).
 */
(function () {
  'use strict';

  const KEY = 'relais.share.pending';

  /* What was opened, and whether the person has left the page since. */
  function createTracker(storage) {
    let away = false;

    function take() {
      let pending = null;
      try {
        pending = JSON.parse(storage.getItem(KEY));
      } catch (error) {
        pending = null;
      }
      storage.removeItem(KEY);
      away = false;
      return pending && pending.content && pending.network ? pending : null;
    }

    return {
      opened(content, network) {
        storage.setItem(KEY, JSON.stringify({ content: String(content), network }));
        away = false;
      },
      left() {
        if (storage.getItem(KEY) !== null) away = true;
      },
      // Back in this page after leaving it: the share to ask about, once.
      returned() {
        return away ? take() : null;
      },
      // This page (re)loaded or restored: whatever was opened before it, once.
      shown() {
        return take();
      },
    };
  }

  function scopeOf(content) {
    return document.querySelector('[data-share-scope][data-share-content="' + CSS.escape(String(content)) + '"]');
  }

  function ask(scope, network) {
    const prompt = scope && scope.querySelector('[data-share-prompt]');
    if (!prompt) return;
    const field = prompt.querySelector('[data-share-prompt-network]');
    if (field) field.value = network;
    prompt.hidden = false;
    prompt.scrollIntoView({ block: 'nearest' });
  }

  function statusNear(link) {
    const panel = link.closest('[data-share-panel]');
    const scope = link.closest('[data-share-scope]');
    return (panel && panel.querySelector('[data-share-status]')) || (scope && scope.querySelector('[data-share-status]'));
  }

  function showForManualCopy(link) {
    const panel = link.closest('[data-share-panel]');
    const scope = link.closest('[data-share-scope]');
    const box = (panel && panel.querySelector('textarea')) || (scope && scope.querySelector('[data-share-manual]'));
    if (!box) return;
    box.hidden = false;
    box.focus();
    box.select();
  }

  function copyForLinkedIn(link) {
    const status = statusNear(link);
    const say = (message) => { if (status && message) status.textContent = message; };
    const failed = () => { say(status && status.dataset.copyFailed); showForManualCopy(link); };
    if (!navigator.clipboard || !navigator.clipboard.writeText) {
      failed();
      return;
    }
    navigator.clipboard.writeText(link.dataset.shareText || '').then(
      () => say(status && status.dataset.copied), failed);
  }

  function setUp() {
    let storage;
    try {
      storage = window.sessionStorage;
    } catch (error) {
      return; // storage refused (privacy settings): the panel's "I shared it" still works
    }
    const tracker = createTracker(storage);
    const offer = (pending) => { if (pending) ask(scopeOf(pending.content), pending.network); };

    document.querySelectorAll('a[data-share-network]').forEach((link) => {
      link.addEventListener('click', () => {
        const scope = link.closest('[data-share-scope]');
        if (scope) tracker.opened(scope.dataset.shareContent, link.dataset.shareNetwork);
        if (link.dataset.shareNetwork === 'linkedin') copyForLinkedIn(link);
      });
    });

    document.querySelectorAll('[data-share-dismiss]').forEach((button) => {
      button.addEventListener('click', () => {
        const prompt = button.closest('[data-share-prompt]');
        if (prompt) prompt.hidden = true;
      });
    });

    if (typeof navigator.share === 'function') {
      document.querySelectorAll('[data-share-sheet]').forEach((button) => {
        button.hidden = false;
        button.addEventListener('click', () => {
          const scope = button.closest('[data-share-scope]');
          navigator.share({ title: button.dataset.shareTitle, text: button.dataset.shareText,
                            url: button.dataset.shareUrl })
            .then(() => ask(scope, 'other'))
            .catch(() => {}); // closed without sharing: nothing to ask
        });
      });
    }

    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') tracker.left();
      else offer(tracker.returned());
    });
    window.addEventListener('blur', () => tracker.left());
    window.addEventListener('focus', () => offer(tracker.returned()));
    window.addEventListener('pageshow', () => offer(tracker.shown()));
  }

  const api = { createTracker, KEY };
  if (typeof window !== 'undefined') window.RelaisShareLoop = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;

  if (typeof document !== 'undefined' && document.querySelectorAll) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setUp);
    else setUp();
  }
})();
