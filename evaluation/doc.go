// Package evaluation is the core of 好差评: the levels and reasons of the national standard,
// the channels ratings come from, the cases (办件) they rate, and Ingest, which validates a
// channel-neutral Submission and stores it — with, for a bad review, its outbox row in the
// same transaction.
package evaluation
