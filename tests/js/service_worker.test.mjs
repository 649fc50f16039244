// The service worker's decisions (advocacy/static/js/service-worker.js), run with `node --test tests/js/`.
// The real script runs in its own context, with the settings /sw.js puts before it, an
// in-memory Cache Storage and a network that answers, or not, as each test says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const SOURCE = readFileSync(new URL('../../advocacy/static/js/service-worker.js', import.meta.url), 'utf8');
const ORIGIN = 'https://relais.test';
const SETTINGS = {
  version: 'v2', home: '/', offline: '/offline', signOut: '/logout', static: '/static/',
  precache: ['/offline', '/static/css/relais.css'],
};

// What a fetch resolves to. opaqueredirect: a navigation answered by a redirect (signed out).
function answer(body, { status = 200, cacheControl = null, type = 'basic' } = {}) {
  const headers = new Headers(cacheControl ? { 'Cache-Control': cacheControl } : {});
  const make = () => ({ body, status, ok: status >= 200 && status < 300, type, headers, clone: make });
  return make();
}

function startWorker() {
  const listeners = {};
  const stores = new Map();
  const server = { online: true, requests: [], pages: {} };
  const key = (request) => new URL(typeof request === 'string' ? request : request.url, ORIGIN).href;
  const fetch = async (request) => {
    const url = key(request);
    server.requests.push(url);
    if (!server.online) throw new TypeError('Failed to fetch');
    return server.pages[new URL(url).pathname + new URL(url).search] ?? answer('not found', { status: 404 });
  };
  class Cache {
    entries = new Map();
    async match(request) { return this.entries.get(key(request))?.clone(); }
    async put(request, response) { this.entries.set(key(request), response); }
    async addAll(urls) {
      for (const url of urls) {
        const response = await fetch(url);
        if (!response.ok) throw new TypeError(`${url}: ${response.status}`);
        await this.put(url, response);
      }
    }
  }
  const caches = {
    async open(name) {
      if (!stores.has(name)) stores.set(name, new Cache());
      return stores.get(name);
    },
    async match(request, { cacheName }) { return stores.get(cacheName)?.match(request); },
    async delete(name) { return stores.delete(name); },
    async keys() { return [...stores.keys()]; },
  };
  const self = {
    location: new URL('/sw.js', ORIGIN),
    addEventListener: (type, listener) => { listeners[type] = listener; },
    skipWaiting: async () => {},
    clients: { claim: async () => {} },
  };
  const context = vm.createContext({
    self, caches, fetch, URL, Headers, console, Response: { error: () => ({ type: 'error' }) },
  });
  vm.runInContext(`const RELAIS = ${JSON.stringify(SETTINGS)};\n${SOURCE}`, context);

  async function dispatch(type, fields = {}) {
    let responded;
    const waits = [];
    listeners[type]({ ...fields, respondWith: (promise) => { responded = promise; },
      waitUntil: (promise) => { waits.push(promise); } });
    await Promise.all(waits);
    return { responded: responded !== undefined, response: await responded };
  }
  const request = (path, method = 'GET', mode = 'navigate') => ({ request: { url: ORIGIN + path, method, mode } });
  return {
    server, stores, dispatch,
    navigate: async (path) => (await dispatch('fetch', request(path))).response,
    load: async (path) => (await dispatch('fetch', request(path, 'GET', 'no-cors'))).response,
    post: (path) => dispatch('fetch', request(path, 'POST')),
    kept: () => stores.get('relais-feed')?.entries.get(`${ORIGIN}/`)?.body,
  };
}

async function installed() {
  const worker = startWorker();
  worker.server.pages['/offline'] = answer('offline page', { cacheControl: 'no-cache' });
  worker.server.pages['/static/css/relais.css'] = answer('css');
  await worker.dispatch('install');
  await worker.dispatch('activate');
  return worker;
}

test('install keeps the offline page and the static files; activate drops older versions only', async () => {
  const worker = startWorker();
  worker.stores.set('relais-assets-v1', 'old');
  worker.stores.set('relais-feed', 'the feed');
  worker.stores.set('someone-else', 'theirs');
  worker.server.pages['/offline'] = answer('offline page');
  worker.server.pages['/static/css/relais.css'] = answer('css');
  await worker.dispatch('install');
  await worker.dispatch('activate');
  assert.deepEqual([...worker.stores.keys()].sort(), ['relais-assets-v2', 'relais-feed', 'someone-else']);
  assert.deepEqual([...worker.stores.get('relais-assets-v2').entries.keys()],
    [`${ORIGIN}/offline`, `${ORIGIN}/static/css/relais.css`]);
});

test('the feed, when the server allows it, is kept and shown offline; other pages get the offline page', async () => {
  const worker = await installed();
  worker.server.pages['/'] = answer('my feed', { cacheControl: 'private, no-cache' });
  worker.server.pages['/kit'] = answer('the kit', { cacheControl: 'no-store' });
  assert.equal((await worker.navigate('/')).body, 'my feed');  // online: the network's answer
  assert.equal((await worker.navigate('/kit')).body, 'the kit');
  assert.equal(worker.kept(), 'my feed');

  worker.server.online = false;
  assert.equal((await worker.navigate('/')).body, 'my feed');
  assert.equal((await worker.navigate('/kit')).body, 'offline page');
  assert.equal((await worker.navigate('/?page=2')).body, 'offline page');
});

test('nothing but the first feed page is kept, and never what says no-store', async () => {
  const worker = await installed();
  for (const path of ['/?page=2', '/me/data', '/offline?x=1']) {
    worker.server.pages[path] = answer(`page ${path}`, { cacheControl: 'private, no-cache' });
    await worker.navigate(path);
  }
  worker.server.pages['/'] = answer('a staff home', { cacheControl: 'no-store' });
  await worker.navigate('/');
  assert.equal(worker.kept(), undefined);
  assert.deepEqual([...worker.stores.get('relais-assets-v2').entries.keys()],
    [`${ORIGIN}/offline`, `${ORIGIN}/static/css/relais.css`]);
});

test('an answer for the home page that may not be kept drops the copy; a server error does not', async () => {
  const worker = await installed();
  worker.server.pages['/'] = answer('my feed', { cacheControl: 'private, no-cache' });
  await worker.navigate('/');
  worker.server.pages['/'] = answer('', { status: 502 });
  await worker.navigate('/');
  assert.equal(worker.kept(), 'my feed');

  worker.server.pages['/'] = answer('', { status: 0, type: 'opaqueredirect' });  // signed out elsewhere
  await worker.navigate('/');
  assert.equal(worker.kept(), undefined);
  worker.server.online = false;
  assert.equal((await worker.navigate('/')).body, 'offline page');
});

test('signing out drops the feed and leaves the request itself to the browser', async () => {
  const worker = await installed();
  worker.server.pages['/'] = answer('my feed', { cacheControl: 'private, no-cache' });
  await worker.navigate('/');
  const { responded } = await worker.post('/logout');
  assert.equal(responded, false);
  assert.equal(worker.kept(), undefined);
  assert.equal((await worker.post('/me/profile')).responded, false);  // POSTs: never touched
});

test('static files come from the cache first; others and other origins are left alone', async () => {
  const worker = await installed();
  worker.server.pages['/static/js/share.js'] = answer('share');
  worker.server.pages['/static/private.js'] = answer('secret', { cacheControl: 'no-store' });
  assert.equal((await worker.load('/static/css/relais.css')).body, 'css');
  assert.equal((await worker.load('/static/js/share.js')).body, 'share');
  worker.server.requests.length = 0;
  assert.equal((await worker.load('/static/js/share.js')).body, 'share');
  assert.deepEqual(worker.server.requests, []);
  await worker.load('/static/private.js');
  assert.equal(worker.stores.get('relais-assets-v2').entries.has(`${ORIGIN}/static/private.js`), false);
  assert.equal((await worker.dispatch('fetch', { request: { url: 'https://elsewhere.test/static/x.js',
    method: 'GET', mode: 'no-cors' } })).responded, false);
  assert.equal((await worker.dispatch('fetch', { request: { url: `${ORIGIN}/img/abc.webp`, method: 'GET',
    mode: 'no-cors' } })).responded, false);  // images: the browser's own cache keeps them
});
