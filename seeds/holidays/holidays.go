// Package holidays ships the override file of the working-day calendar (package calendar):
// State Council holiday arrangements (国务院办公厅关于部分节假日安排的通知) that the bundled
// lunar-go data does not know yet, or corrections to it. The format is described at the top of
// holidays.yaml.
package holidays

import _ "embed"

// YAML is the content of holidays.yaml, read by calendar.Default.
//
//go:embed holidays.yaml
var YAML []byte
