package app

import (
	"context"

	"haochaping/internal/bjtime"
	"haochaping/jobs"
)

// Scheduler returns the scheduler with every job of the system, in Beijing time.
func (a *App) Scheduler() *jobs.Scheduler {
	s := &jobs.Scheduler{DB: a.db, Log: a.log}
	ev, rc := a.Evaluation, a.Rectify
	for _, j := range []jobs.Job{
		{Name: "default_evaluations", Schedule: "0 */10 * * * *", Summary: "逾期未评价的已办结办件记默认评价",
			Run: ev.DefaultEvaluations},
		{Name: "rollups", Schedule: "*/30 * * * * *", Summary: "评价汇总（按日×区划×部门×大厅×窗口×人员×渠道×事项，增量）和评价率",
			Run: func(ctx context.Context) (int64, error) {
				n, err := ev.RollUp(ctx)
				if err != nil {
					return n, err
				}
				m, err := ev.RecountCases(ctx)
				return n + m, err
			}},
		{Name: "rectification_measures", Schedule: "0 */2 * * * *", Summary: "回访率、整改率、记录率、实名差评整改率、按时整改率、平均整改时长",
			Run: rc.RollUpRectification},
		{Name: "overdue", Schedule: "0 * * * * *", Summary: "标记逾期的工单环节并上报单位负责人和管理机构",
			Run: func(ctx context.Context) (int64, error) { n, err := rc.SweepOverdue(ctx, 0); return int64(n), err }},
		{Name: "ledger_status", Schedule: "0 */15 * * * *", Summary: "台账状态：工作台账、问题台账（未开始、推进中、已完成、逾期、持续推进），限期整改（正常、即将到期、逾期）",
			Run: func(ctx context.Context) (int64, error) {
				n, err := rc.UpdateLedgerStatus(ctx)
				if err != nil {
					return n, err
				}
				m, err := a.Ledger.UpdateStatus(ctx)
				return n + m, err
			}},
		{Name: "recurring_problems", Schedule: "0 30 2 * * *", Summary: "差评分析：近30日同一事项、单位、评价指标的集中差评，提请列入整改台账",
			Run: func(ctx context.Context) (int64, error) {
				today := bjtime.Day(a.cfg.Now())
				return a.Ledger.ProposeRecurring(ctx, nil, today.AddDate(0, 0, -30), today.AddDate(0, 0, -1))
			}},
		{Name: "upward_report", Schedule: "0 */5 * * * *", Summary: "评价数据上报省平台（批量、重试），及时上报率",
			Run: ev.ReportUpward},
		{Name: "rankings", Schedule: "0 10 1 * * *", Summary: "按部门、窗口、人员月度排名，连续两月末位标记",
			Run: func(ctx context.Context) (int64, error) {
				// Last month first (this month's flags read it), then this month so far. Months
				// are Beijing months: start from the first day, so that 31 March minus a month
				// is February, not 3 March.
				this := bjtime.Day(a.cfg.Now())
				this = this.AddDate(0, 0, 1-this.Day())
				n, err := ev.ComputeRankings(ctx, this.AddDate(0, -1, 0))
				if err != nil {
					return n, err
				}
				m, err := ev.ComputeRankings(ctx, this)
				return n + m, err
			}},
		{Name: "praise_watch", Schedule: "0 */10 * * * *", Summary: "刷好评监测：同一设备、人员或手机号短时集中好评",
			Run: ev.WatchPraise},
		{Name: "outbox_reconcile", Schedule: "*/30 * * * * *", Summary: "发件箱补发：一分钟内未生成工单的差评重新派发",
			Run: func(ctx context.Context) (int64, error) { n, err := rc.Reconcile(ctx); return int64(n), err }},
		{Name: "housekeeping", Schedule: "0 17 * * * *", Summary: "清理过期签名、会话和三十天前的任务记录",
			Run: a.housekeeping},
	} {
		if err := s.Add(j); err != nil {
			panic(err) // the schedules are constants: a test catches a typo
		}
	}
	return s
}

func (a *App) housekeeping(ctx context.Context) (int64, error) {
	if err := a.Auth.PruneSignatures(ctx); err != nil {
		return 0, err
	}
	n, err := a.Users.PruneSessions(ctx)
	if err != nil {
		return n, err
	}
	tag, err := a.db.Pool.Exec(ctx, `DELETE FROM job_runs WHERE started_at < now() - interval '30 days'`)
	if err != nil {
		return n, err
	}
	return n + tag.RowsAffected(), nil
}
