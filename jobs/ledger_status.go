package jobs

import "context"

// LedgerStatus sets the status of the ledgers: the rectifications under 限期整改 (正常, 即将到期,
// 逾期), and the work and problem ledgers' entries (未开始, 推进中, 已完成, 逾期, 持续推进).
func LedgerStatus(rectifications, plan func(context.Context) (int64, error)) Job {
	return Job{Name: "ledger_status", Schedule: "0 */15 * * * *", Summary: "台账状态：工作台账、问题台账（未开始、推进中、已完成、逾期、持续推进），限期整改（正常、即将到期、逾期）",
		Run: func(ctx context.Context) (int64, error) {
			n, err := rectifications(ctx)
			if err != nil {
				return n, err
			}
			k, err := plan(ctx)
			return n + k, err
		}}
}
