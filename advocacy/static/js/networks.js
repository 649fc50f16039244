/*
 * Relais: the Mastodon instance field is shown only while Mastodon is ticked.
 *
 * Progressive enhancement: without this script the field is always there
 * (and the server asks for it when Mastodon is chosen). Markup:
 *   <fieldset data-networks> … <input type="checkbox" value="mastodon"> … </fieldset>
 *   <div data-mastodon-instance> … the instance field … </div>
 * Plain ES2020, no inline handlers: safe under a strict Content-Security-Policy.
 */
(function () {
  'use strict';

  function setUp(fieldset) {
    const form = fieldset.closest('form');
    const box = fieldset.querySelector('input[type="checkbox"][value="mastodon"]');
    const instance = form && form.querySelector('[data-mastodon-instance]');
    if (!box || !instance) return;
    const input = instance.querySelector('input');
    function update() {
      // Kept in view while it holds a value or an error, so nothing typed is hidden.
      instance.hidden = !box.checked && !(input && input.value) && !instance.querySelector('.error');
    }
    box.addEventListener('change', update);
    update();
  }

  document.querySelectorAll('[data-networks]').forEach(setUp);
})();
