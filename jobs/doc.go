// Package jobs is the scheduler of the periodic work — default evaluations, rollups, the
// measures, overdue steps, ledger status, the upward report, rankings, the 刷好评 watch and the
// outbox re-send — on robfig/cron in Beijing time. Each run is recorded; a run takes a
// PostgreSQL advisory lock and claims its tick in job_runs, so that across any number of
// instances a job runs once per tick and never twice at the same time.
package jobs
