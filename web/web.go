// Package web is the HTTP home: the fiber app and its error answers, the middleware every
// request meets (recovery, request IDs, metrics, text checks), health, readiness, metrics, the
// API description, and the routes of every channel, of the staff and office APIs (whose
// handlers live beside their domains: rectify/staffapi, ledger/ledgerapi, …) and of the
// sessions (web/session). It will hold the pages too: their templates, static assets and
// handlers.
package web

import _ "embed"

// OpenAPI is the OpenAPI 3 description of every endpoint.
//
//go:embed openapi.yaml
var OpenAPI []byte
