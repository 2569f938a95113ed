// Package web holds what the HTTP side serves as files: the API description, and later the
// templates and static assets of the pages.
package web

import _ "embed"

// OpenAPI is the OpenAPI 3 description of every endpoint.
//
//go:embed openapi.yaml
var OpenAPI []byte
