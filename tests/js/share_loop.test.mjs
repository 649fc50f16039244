// The share loop's tracker (advocacy/static/js/share-loop.js), run with `node --test tests/js/`:
// "Did you share it?" is asked once per use, after the person came back, and never again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createTracker, KEY } = require('../../advocacy/static/js/share-loop.js');

function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
    size: () => items.size,
  };
}

test('asks once, after the person left and came back', () => {
  const storage = memoryStorage();
  const tracker = createTracker(storage);
  tracker.opened(12, 'bluesky');
  assert.equal(tracker.returned(), null); // still here: the compose page has not taken the focus yet
  tracker.left();
  assert.deepEqual(tracker.returned(), { content: '12', network: 'bluesky' });
  tracker.left();
  assert.equal(tracker.returned(), null); // never again for this use
  assert.equal(storage.size(), 0);
});

test('leaving without having opened a network asks nothing', () => {
  const tracker = createTracker(memoryStorage());
  tracker.left();
  assert.equal(tracker.returned(), null);
  assert.equal(tracker.shown(), null);
});

test('a page reloaded or restored in the same tab asks about what was opened before, once', () => {
  const storage = memoryStorage();
  createTracker(storage).opened(7, 'email'); // the page that opened it is gone
  const next = createTracker(storage);
  assert.deepEqual(next.shown(), { content: '7', network: 'email' });
  assert.equal(next.shown(), null);
});

test('the latest use wins, and each use is asked about once', () => {
  const tracker = createTracker(memoryStorage());
  tracker.opened(1, 'x');
  tracker.opened(2, 'linkedin');
  tracker.left();
  assert.deepEqual(tracker.returned(), { content: '2', network: 'linkedin' });
  tracker.opened(2, 'x');
  tracker.left();
  assert.deepEqual(tracker.returned(), { content: '2', network: 'x' });
});

test('something unreadable in storage is dropped, not shown', () => {
  const storage = memoryStorage();
  storage.setItem(KEY, '{not json');
  const tracker = createTracker(storage);
  assert.equal(tracker.shown(), null);
  assert.equal(storage.size(), 0);
});
