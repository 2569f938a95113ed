// Package channels receives ratings and cases from the outside world. Each sub-package is one
// channel's adapter — its native payload mapped to an evaluation.Submission — and this package
// holds what they share: the devices and backends that sign their requests, the signature
// check, and the timestamps devices send. It owns the tables devices and used_signatures.
package channels
