package app

import "haochaping/jobs"

// Scheduler returns the scheduler with every job of the system (one file each in jobs/), in
// Beijing time, on the business clock.
func (a *App) Scheduler() *jobs.Scheduler {
	s := &jobs.Scheduler{DB: a.db, Log: a.log}
	ev, rc, m, now := a.Evaluation, a.Rectify, a.Measures, a.cfg.Now
	for _, j := range []jobs.Job{
		jobs.DefaultEvaluations(ev),
		jobs.Rollups(m),
		jobs.RectificationMeasures(m),
		jobs.Overdue(rc),
		jobs.LedgerStatus(rc.UpdateLedgerStatus, a.Ledger.UpdateStatus),
		jobs.RecurringProblems(a.Ledger, now),
		a.upwardJob(),
		jobs.Rankings(m, now),
		jobs.PraiseWatch(ev),
		jobs.PhoneReindex(ev),
		jobs.OutboxReconcile(rc),
		jobs.EvaluatorSMS(rc),
		jobs.Housekeeping(a.Auth, a.Users, s),
		jobs.AuditRetention(a.Audit),
		jobs.EvaluationPartitions(ev),
	} {
		if err := s.Add(j); err != nil {
			panic(err) // the schedules are constants: a test catches a typo
		}
	}
	return s
}

// upwardJob is the report to the provincial platform: in its own format when a profile is set,
// else the old JSON.
func (a *App) upwardJob() jobs.Job {
	if a.upward != nil {
		return jobs.UpwardReport(upwardReport{a.upward})
	}
	return jobs.UpwardReport(a.Evaluation)
}
