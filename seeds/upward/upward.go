// Package upward holds the profiles of the provincial platforms the upward report speaks to
// (shandong.yaml, the default; simple.yaml), embedded in the binary.
package upward

import "embed"

// Profiles are the profile files, by file name.
//
//go:embed *.yaml
var Profiles embed.FS
