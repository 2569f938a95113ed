// Package evaluation is the core of 好差评: the levels and reasons of the national standard,
// the channels ratings come from, the cases (办件) they rate, and Ingest, which validates a
// channel-neutral Submission and stores it — with, for a bad review, its outbox row in the
// same transaction.
//
// It owns the tables of the organisation that is rated (regions, departments, halls, windows,
// staff, service_items) and of the settings, the reason sets, the cases, the evaluations and
// their supersessions, the outbox (written with each bad review; moved along by package rectify
// through outbox.go), the upward reports and the 刷好评 flags. Records go through gorm models
// (records.go); the ratings through SQL of their own (the group commit).
package evaluation
