// Browser counter (advocacy/static/js/text-counter.js), run with `node --test tests/js/`.
// The shared cases are the ones the Python tests use: passing both proves agreement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const RelaisText = require('../../advocacy/static/js/text-counter.js');
const { cases } = JSON.parse(
  readFileSync(new URL('../unit/text_rules_cases.json', import.meta.url), 'utf8'),
);

const expand = (text) => (typeof text === 'string' ? text : text.map(([p, n]) => p.repeat(n)).join(''));

for (const c of cases) {
  test(`${c.network}: ${c.note}`, () => {
    assert.equal(RelaisText.measure(c.network, expand(c.text)).length, c.length);
  });
}

test('limits, ok and remaining', () => {
  assert.deepEqual(RelaisText.measure('x', 'a'.repeat(281)), {
    network: 'x', length: 281, limit: 280, ok: false, remaining: -1,
  });
  assert.deepEqual(RelaisText.measure('email', 'hi'), {
    network: 'email', length: 2, limit: null, ok: true, remaining: null,
  });
  assert.deepEqual(RelaisText.NETWORKS, ['x', 'bluesky', 'mastodon', 'linkedin', 'whatsapp', 'email']);
});

test('unknown network throws', () => {
  assert.throws(() => RelaisText.measure('twitter', 'hi'), RangeError);
  assert.throws(() => RelaisText.limitFor('toString'), RangeError);
});

// A minimal stand-in for the DOM: enough for attach() and render().
function fakeDom() {
  const listeners = [];
  const field = {
    id: 'share-x',
    value: '',
    attrs: { 'data-network': 'x' },
    getAttribute(name) { return this.attrs[name] ?? null; },
    addEventListener(type, fn) { listeners.push([type, fn]); },
  };
  const classes = new Set();
  const counter = {
    textContent: '',
    attrs: { 'data-counter-for': 'share-x' },
    getAttribute(name) { return this.attrs[name] ?? null; },
    setAttribute(name, value) { this.attrs[name] = value; },
    classList: {
      toggle(name, on) { if (on) classes.add(name); else classes.delete(name); },
      remove(name) { classes.delete(name); },
    },
  };
  const document = {
    querySelectorAll(selector) {
      return selector === '[data-counter-for]' ? [counter] : [field];
    },
  };
  const type = (text) => {
    field.value = text;
    for (const [t, fn] of listeners) if (t === 'input') fn();
  };
  return { document, field, counter, classes, listeners, type };
}

test('attach keeps the counter up to date', () => {
  const dom = fakeDom();
  globalThis.document = dom.document;
  try {
    RelaisText.attach();
    assert.equal(dom.counter.textContent, '0 / 280');
    assert.equal(dom.counter.attrs['aria-live'], 'polite');
    dom.type('hello https://example.com/long/path');
    assert.equal(dom.counter.textContent, '29 / 280');
    assert.equal(dom.classes.has('over-limit'), false);
    dom.type('の'.repeat(141));
    assert.equal(dom.counter.textContent, '282 / 280');
    assert.equal(dom.classes.has('over-limit'), true);
    dom.field.attrs['data-network'] = 'email';
    dom.type('hi');
    assert.equal(dom.counter.textContent, '2');
    assert.equal(dom.classes.has('over-limit'), false);
    RelaisText.attach(); // idempotent: no second listener
    assert.equal(dom.listeners.length, 1);
  } finally {
    delete globalThis.document;
  }
});
