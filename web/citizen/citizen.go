// Package citizen holds the pages citizens meet: the page behind the evaluation link on the
// receipt (/e/{token}) and what became of their bad review, the counter pad (/pad), the kiosk
// (/kiosk), the portal's page (/pc) and the public disclosure of results (/public). One
// handler a file; the rules they apply are the domain's (evaluation, rectify).
package citizen

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels"
	"haochaping/channels/window"
	"haochaping/evaluation"
	"haochaping/internal/ratelimit"
	"haochaping/measures"
	"haochaping/rectify"
	"haochaping/web/page"
)

// Deps are what the pages need.
type Deps struct {
	Pages      *page.Renderer
	Evaluation *evaluation.Service
	Rectify    *rectify.Service
	Devices    *channels.Devices
	Measures   *measures.Service
	Secure     bool // the site is served over HTTPS: cookies are marked Secure
	Log        *slog.Logger
	Prompts    *window.PromptBus
	Limiter    *ratelimit.Limiter // the budget per client address of what a stranger can send
}

// Register mounts the citizens' pages on r, each behind mw (the page marker and the CSRF check:
// per route, since middleware of a group without a prefix would run for the API too).
func Register(r fiber.Router, mw []fiber.Handler, d Deps) {
	route := func(h ...fiber.Handler) []fiber.Handler { return append(append([]fiber.Handler{}, mw...), h...) }
	// limited counts the request against its address's budget first (as a page, so that a
	// refusal is the error page), before the CSRF check and the handler's work.
	limited := func(h ...fiber.Handler) []fiber.Handler {
		return append(append([]fiber.Handler{page.Pages, d.limitAddress}, mw...), h...)
	}
	r.Get("/e/:token", limited(d.showLink)...)
	r.Post("/e/:token", limited(d.rateLink)...)
	r.Get("/e/:token/done", route(d.thanks)...)
	r.Get("/e/:token/verdict", route(d.showVerdictDone)...)
	r.Post("/e/:token/verdict", limited(d.rateVerdict)...)
	r.Get("/pc", route(d.showPortal)...)
	r.Post("/pc", limited(d.ratePortal)...)
	r.Get("/pair", route(d.showPair)...)
	r.Get("/public", page.Pages, d.showPublic) // no CSRF cookie: the page is cached and has no form to protect
	r.Get("/", page.Pages, d.home)
	r.Post("/pair", limited(d.pair)...)
	kiosk := d.requireDevice("kiosk")
	r.Get("/kiosk", route(kiosk, d.showKiosk)...)
	r.Get("/kiosk/case", route(kiosk, d.kioskCaseLookup)...)
	r.Post("/kiosk/records", limited(kiosk, d.kioskRecords)...)
	r.Get("/kiosk-sw.js", page.Pages, d.kioskWorker) // the kiosk's service worker: a script, no session, no form
	pad := d.requireDevice("window")
	r.Get("/pad", route(pad, d.showPad)...)
	r.Get("/pad/events", route(pad, d.padEventStream)...)
	r.Get("/pad/p/:id", route(pad, d.showPadRate)...)
	r.Post("/pad/p/:id", limited(pad, d.padRate)...)
	r.Get("/pad/p/:id/done", route(pad, d.showPadThanks)...)
}
