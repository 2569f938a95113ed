// The kiosk's service worker: it lets a kiosk that (re)loads while the network is down show its
// page and rate, the ratings going to the page's localStorage buffer as ever (kiosk.js).
//
// The server serves this file at /kiosk-sw.js with a first line of its own naming CACHE (the
// cache of this release: its name holds the hashes of the files below), PAGE (/kiosk) and
// ASSETS (the versioned URLs of the page's static files); see web/citizen/kiosk_sw.go.
//
// Network first, for the page and its files alike: whatever the network answers is what the
// kiosk shows, and a good answer is kept; only when the network fails (an error, a 5xx, or no
// answer within NETWORK_WAIT_MS) does the last good copy come from the cache. Nothing else is
// touched: the case lookup (/kiosk/case), the upload (/kiosk/records) and every POST go to the
// network alone, never to a cache.
/* global CACHE, PAGE, ASSETS */
"use strict";

var NETWORK_WAIT_MS = 8000;
var CACHE_PREFIX = "hcp-kiosk-";

// The copy of the page that the cache keeps says so (data-served="cache"): a cached page's
// stamp of the server's clock is old, so kiosk.js takes the clock offset of the last page the
// network served instead (localStorage), and knows that its CSRF token may have expired.
var SERVED_NETWORK = 'data-served="network"';
var SERVED_CACHE = 'data-served="cache"';

// keepable: a whole, good answer of this server — not an error, not a redirect (to /pair, when
// the device's session is gone: that answer must reach the browser, not the cache).
function keepable(res) {
  return res.ok && res.type === "basic" && !res.redirected;
}

async function store(key, res) {
  var cache = await caches.open(CACHE);
  if (key !== PAGE) {
    return cache.put(key, res);
  }
  var html = await res.text();
  return cache.put(key, new Response(html.replace(SERVED_NETWORK, SERVED_CACHE), {
    status: res.status, statusText: res.statusText, headers: res.headers
  }));
}

async function cached(key) {
  var cache = await caches.open(CACHE);
  return cache.match(key);
}

// Install: the page and its files are fetched and kept at once, so that the very next load can
// be offline. A failure (offline, the device unpaired) fails the install; the browser tries
// again at the next load, and the worker of the last release, if any, goes on meanwhile.
self.addEventListener("install", function (event) {
  event.waitUntil((async function () {
    var cache = await caches.open(CACHE);
    await cache.addAll(ASSETS);
    var res = await fetch(PAGE, { credentials: "same-origin", cache: "no-store" });
    if (!keepable(res)) {
      throw new Error("kiosk-sw: " + PAGE + " answered " + res.status + " " + res.url);
    }
    await store(PAGE, res);
    await self.skipWaiting();
  })());
});

// Activate: the caches of earlier releases go; the open page is taken over at once.
self.addEventListener("activate", function (event) {
  event.waitUntil((async function () {
    var names = await caches.keys();
    await Promise.all(names.filter(function (n) {
      return n.indexOf(CACHE_PREFIX) === 0 && n !== CACHE;
    }).map(function (n) { return caches.delete(n); }));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") { return; } // an upload is never answered by a cache
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  var key = null;
  if (url.pathname === PAGE && req.mode === "navigate") {
    key = PAGE;
  } else if (ASSETS.indexOf(url.pathname + url.search) >= 0) {
    key = url.pathname + url.search;
  }
  if (!key) { return; } // /kiosk/case and the rest: the network's alone

  // The copy is taken as soon as the answer arrives, before the page reads it, and kept even
  // when the cache answered first (the network was slow).
  var network = fetch(req).then(function (res) {
    return { res: res, copy: keepable(res) ? res.clone() : null };
  });
  event.waitUntil(network.then(function (n) {
    return n.copy ? store(key, n.copy) : undefined;
  }).catch(function () { return undefined; }));
  event.respondWith(answer(network.then(function (n) { return n.res; }), key));
});

// answer is the network's answer, unless the network fails: then the cache's copy, if any.
async function answer(network, key) {
  var timer = 0;
  var late = new Promise(function (resolve) { timer = setTimeout(resolve, NETWORK_WAIT_MS, null); });
  try {
    var res = await Promise.race([network, late]);
    if (res && res.status < 500) {
      return res;
    }
    var kept = await cached(key);
    if (kept) { return kept; }
    return res || await network; // nothing kept: the network's answer, however slow or bad
  } catch (err) {
    var copy = await cached(key);
    if (copy) { return copy; }
    throw err; // nothing kept: the browser's own page for a failed load
  } finally {
    clearTimeout(timer);
  }
}
