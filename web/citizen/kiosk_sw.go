package citizen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/gofiber/fiber/v2"

	"haochaping/web/assets"
)

// kioskAssets are the static files the kiosk page loads (kiosk.html and layout.html; the
// icons are inline but the favicon): the service worker keeps a copy of each, so that the
// page can load offline. A file added to the page must be added here — the kiosk's browser
// test checks that every /static/ URL of the page is in the worker's cache.
var kioskAssets = []string{"site.css", "kiosk.css", "icons/emblem.svg", "js/form.js", "js/kiosk.js"}

// kioskWorkerScript is the service worker as served: a first line naming the cache of this
// release, the page and the versioned URLs of its files, then static/js/kiosk-sw.js. The
// cache's name is a hash of the lot, so a release that changes any file, or the worker,
// changes the script's bytes: the browser installs it, and its activation deletes the old
// cache.
var kioskWorkerScript = func() []byte {
	body, err := fs.ReadFile(assets.Static, "js/kiosk-sw.js")
	if err != nil {
		panic(fmt.Sprintf("citizen: the kiosk's service worker: %v", err))
	}
	urls := make([]string, len(kioskAssets))
	for i, name := range kioskAssets {
		urls[i] = assets.URL(name)
	}
	list, _ := json.Marshal(urls)
	sum := sha256.Sum256(append(append([]byte{}, list...), body...))
	var b bytes.Buffer
	fmt.Fprintf(&b, "var CACHE = %q, PAGE = \"/kiosk\", ASSETS = %s;\n", "hcp-kiosk-"+hex.EncodeToString(sum[:6]), list)
	b.Write(body)
	return b.Bytes()
}()

// kioskWorker is GET /kiosk-sw.js, the kiosk's service worker (kiosk.js registers it).
//
// Its address is at the root, not under /static/, because a worker may control only the pages
// under its script's folder: at /kiosk-sw.js it may control /kiosk, and kiosk.js registers it
// with the scope "/kiosk" so that it controls the kiosk's page and no other (not /pad, /pair,
// the citizens' pages). The alternative, /static/js/kiosk-sw.js with a Service-Worker-Allowed
// header, would change the worker's URL with every release, which browsers handle as a new
// registration rather than an update. The address is stable, so the answer is revalidated
// every time (no-cache); the browser's update check compares the bytes.
//
// No device session is asked: the script holds nothing of a device, and a browser fetching it
// to update its worker must get it even when the session has gone (the page then sends the
// kiosk to pairing).
func (d Deps) kioskWorker(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(kioskWorkerScript)
}
