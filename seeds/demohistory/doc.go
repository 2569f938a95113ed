// Package demohistory loads a made-up but believable history of ratings into a seeded schema,
// so that the dashboard, the rankings and the work-order inbox have something to show, and so
// that the system can be measured at scale (`haochaping demo`).
//
// The history is generated, not replayed through the API. A plan (plan.go) spreads the services
// over the days by the story's numbers (story.go) and decides every "slot" — one service at a
// window, a kiosk or online —: its channel, time, region, unit, item and rating (slot.go,
// routing.go). Cases, evaluations and the bad-review loop — outbox, work orders, their events and
// notifications — are derived from the slots (cases.go, evaluations.go, loop*.go, showcase.go)
// and streamed into PostgreSQL with COPY in chunks of one transaction each (copy.go). Each slot
// draws from random streams of its own, keyed by the seed, its day and its number (rng.go), so
// that the three COPY streams (cases; evaluations; the loop) recompute the same slot
// independently and in parallel, without holding millions of rows in memory — and the same
// seed, end date and organisation give the same history.
//
// What the rows look like follows what the system itself writes (package evaluation: idem
// keys, service days, defaults at the end of the rating window, evaluation.RatingDeadline;
// package rectify: the columns each step sets and the append-only events). The loop runs on
// rectify's rules themselves, not copies: every step passes rectify.Next — a step it refuses
// stops the load —, the deadlines are rectify's deadline functions and the words its texts. The
// rows go in through their owners' bulk loads (evaluation.CopyCases, CopyEvaluations,
// CopyOutbox; rectify.CopyWorkOrders, CopyEvents, CopyNotifications). Personal data is sealed
// like real data (internal/pii), from a pool of made-up identities sealed once (identities.go).
// Nothing collides with live data: case numbers start with DEMO-, idem keys with demo:, and
// row IDs and work-order numbers are reserved from their sequences before loading.
package demohistory
