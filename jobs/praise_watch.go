package jobs

import "context"

// PraiseWatch flags bursts of top ratings from one device, staff member or phone (刷好评).
func PraiseWatch(ev interface {
	WatchPraise(context.Context) (int64, error)
}) Job {
	return Job{Name: "praise_watch", Schedule: "0 */10 * * * *", Summary: "刷好评监测：同一设备、人员或手机号短时集中好评",
		Run: ev.WatchPraise}
}
