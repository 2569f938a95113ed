// Package jobs holds the periodic work of the system, one file a job named for what it
// computes — default evaluations, rollups, the rectification measures, overdue steps, ledger
// status, recurring problems, the upward report, rankings, the 刷好评 watch, the outbox re-send,
// housekeeping — each calling the domain through the one method it needs; and the scheduler
// that runs them on robfig/cron in Beijing time. Each run is recorded; a run takes a
// PostgreSQL advisory lock and claims its tick in job_runs (which this package owns), so that
// across any number of instances a job runs once per tick and never twice at the same time.
package jobs
