// Relais' service worker. Served as /sw.js by blueprints/webapp.py, which
// puts `const RELAIS = {...}` (version, addresses, what to keep at install)
// before this file.
//
// - Pages: the network first, always. Offline, the home page answers with
//   the copy kept from the last visit, any other page with the offline page.
// - The only page kept is the home feed, and only when the server allowed
//   it (Cache-Control without no-store: every other signed-in page, the
//   personal data pages and exports are no-store). An answer for the home
//   page that may not be kept (signed out, a staff home) drops the copy.
// - Static files: from the cache first; the cache's name carries the
//   version, so a deployment that changes them installs a new worker.
// - Only GET requests of our own origin: a POST is never kept.
// - Signing out sends Clear-Site-Data, which empties these caches; the
//   worker drops the feed too when it sees the sign-out go by.
"use strict";

const ASSETS = `relais-assets-${RELAIS.version}`;
const FEED = "relais-feed";

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(ASSETS);
    await cache.addAll(RELAIS.precache);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("relais-") && name !== ASSETS && name !== FEED)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === RELAIS.signOut) {
    event.waitUntil(caches.delete(FEED));  // the request itself goes on untouched
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  } else if (url.pathname.startsWith(RELAIS.static)) {
    event.respondWith(asset(request));
  }
});

function mayKeep(response) {
  return response.ok && response.type === "basic" && !/no-store/i.test(response.headers.get("Cache-Control") || "");
}

async function page(request, url) {
  const isHome = url.pathname === RELAIS.home && url.search === "";
  let response;
  try {
    response = await fetch(request);
  } catch (offline) {  // no answer at all; an error page from the server is an answer
    const kept = isHome ? await caches.match(RELAIS.home, { cacheName: FEED }) : undefined;
    return kept || (await caches.match(RELAIS.offline, { cacheName: ASSETS })) || Response.error();
  }
  if (isHome) {
    if (mayKeep(response)) {
      const cache = await caches.open(FEED);
      await cache.put(RELAIS.home, response.clone());
    } else if (response.status < 500) {  // a server in trouble says nothing about who is reading
      await caches.delete(FEED);
    }
  }
  return response;
}

async function asset(request) {
  const cache = await caches.open(ASSETS);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (mayKeep(response)) await cache.put(request, response.clone());
  return response;
}
